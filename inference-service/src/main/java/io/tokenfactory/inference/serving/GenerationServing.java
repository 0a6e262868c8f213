package io.tokenfactory.inference.serving;

import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.generation.GenerationEngines;
import io.tokenfactory.inference.remote.RemoteModelClient;
import io.tokenfactory.inference.remote.RemoteBackends;

import org.springframework.stereotype.Component;

/**
 * Serves a checked chat or text completion on its model: the local engine, or the remote
 * server (and, while that is unavailable, its fallback model). Returns what the endpoint
 * answers: a whole response, a deferred one or a stream.
 */
@Component
public class GenerationServing {

    private final ModelCatalog catalog;

    private final GenerationEngines engines;

    private final RemoteBackends remotes;

    private final LocalGeneration local;

    private final RemoteGeneration remote;

    GenerationServing(ModelCatalog catalog, GenerationEngines engines, RemoteBackends remotes, LocalGeneration local,
            RemoteGeneration remote) {
        this.catalog = catalog;
        this.engines = engines;
        this.remotes = remotes;
        this.local = local;
        this.remote = remote;
    }

    public Object serve(GenerationCall call) {
        var engine = engines.find(call.model().name());
        if (engine.isPresent()) {
            return local.serve(call, engine.get());
        }
        RemoteModelClient backend = remotes.find(call.model().name())
            .orElseThrow(() -> OpenAiException.modelNotFound(call.model().name()));
        String fallback = call.model().remote().fallbackModel();
        return remote.serve(call, backend,
                fallback == null ? null : failed -> serve(failed.onModel(catalog.find(fallback).orElseThrow())));
    }

}
