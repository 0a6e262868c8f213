package io.tokenfactory.inference.serving;

import io.tokenfactory.inference.embedding.EmbeddingModels;
import io.tokenfactory.inference.remote.RemoteBackends;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Serves a checked embeddings request on its model: a local ONNX model, or the remote
 * server that serves it.
 */
@Component
public class EmbeddingServing {

    private final EmbeddingModels models;

    private final RemoteBackends remotes;

    private final LocalEmbedding local;

    private final RemoteEmbedding remote;

    EmbeddingServing(EmbeddingModels models, RemoteBackends remotes, LocalEmbedding local, RemoteEmbedding remote) {
        this.models = models;
        this.remotes = remotes;
        this.local = local;
        this.remote = remote;
    }

    public ResponseEntity<?> serve(EmbeddingCall call) {
        var model = models.find(call.model().name());
        if (model.isPresent()) {
            return local.serve(call, model.get());
        }
        return remote.serve(call, remotes.find(call.model().name())
            .orElseThrow(() -> OpenAiException.modelNotFound(call.model().name())));
    }

}
