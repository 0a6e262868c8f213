package io.tokenfactory.inference.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.energy.NodeEnergies;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.generation.GenerationEngine;
import io.tokenfactory.inference.generation.GenerationEngines;
import io.tokenfactory.inference.remote.RemoteBackends;
import io.tokenfactory.inference.remote.RemoteModelClient;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.ServedRequestListener;

import org.springframework.stereotype.Component;

/**
 * Every generation model's deployments, and what each has shown: told of every served
 * request and its settled energy.
 */
@Component
public class Deployments implements ServedRequestListener {

    /** By model, in the order configured. */
    private final Map<String, List<Deployment>> byModel = new LinkedHashMap<>();

    private final Map<String, Deployment> byName = new LinkedHashMap<>();

    Deployments(ModelCatalog catalog, RemoteBackends remotes, GenerationEngines engines, NodeEnergies nodes,
            InferenceProperties properties) {
        double smoothing = properties.router().smoothing();
        for (ModelSettings model : catalog.all()) {
            if (model.task() != ModelTask.GENERATION) {
                continue;
            }
            List<Deployment> deployments = new ArrayList<>();
            for (ModelSettings.DeploymentSettings settings : model.servedBy()) {
                Deployment deployment;
                if (settings.backend() == ModelBackend.LOCAL) {
                    Optional<GenerationEngine> engine = engines.find(model.name());
                    if (engine.isEmpty()) {
                        continue;
                    }
                    deployment = new Deployment(model, settings, null, engine.get(), nodes.local().node(),
                            nodes.local().source() != EnergySource.NONE,
                            new DeploymentStats(smoothing, model.maxBatch()));
                }
                else {
                    RemoteModelClient remote = remotes.find(model.name(), settings.name()).orElseThrow();
                    NodeEnergy node = nodes.forRemote(settings.remote());
                    deployment = new Deployment(model, settings, remote, null, node.node(),
                            node.source() != EnergySource.NONE,
                            new DeploymentStats(smoothing, settings.remote().maxConcurrency()));
                }
                deployments.add(deployment);
                byName.put(deployment.name(), deployment);
            }
            byModel.put(model.name(), List.copyOf(deployments));
        }
    }

    /** A model's deployments, in the order configured; empty for an unknown model. */
    public List<Deployment> of(String model) {
        return byModel.getOrDefault(model, List.of());
    }

    public List<Deployment> all() {
        return List.copyOf(byName.values());
    }

    @Override
    public void served(FinishedRequest request) {
        Deployment deployment = byName.get(request.deployment());
        if (deployment == null || request.timeToFirstTokenMs() < 0 || request.completionTokens() == 0) {
            return;
        }
        long elapsedMs = java.time.Duration.between(request.startedAt(), request.completedAt()).toMillis();
        deployment.stats()
            .served(request.timeToFirstTokenMs(), elapsedMs, request.completionTokens(), deployment.outstanding(),
                    deployment.model().routing().timeToFirstTokenObjective().toMillis());
    }

    @Override
    public void settled(FinishedRequest request, MeasuredEnergy energy) {
        Deployment deployment = byName.get(request.deployment());
        if (deployment == null || energy.source() == EnergySource.NONE || energy.joules() <= 0) {
            return;
        }
        deployment.stats().settled(request.promptTokens() + request.completionTokens(), energy);
    }

}
