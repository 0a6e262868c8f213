package io.tokenfactory.inference.serving;

import java.util.List;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.fairshare.AdmissionRefusedException;
import io.tokenfactory.inference.fairshare.Requester;
import io.tokenfactory.inference.power.PowerGovernor;
import io.tokenfactory.inference.routing.Deployment;
import io.tokenfactory.inference.routing.DeploymentRouter;

import org.springframework.stereotype.Component;

/**
 * Serves a checked chat or text completion on one of its model's deployments: the router
 * orders them by the model's strategy, the power governor leaves those whose node has
 * power headroom, and the request goes to the first. A server that fails before answering
 * (unreachable, 5xx, its circuit open, its queue full) hands the request to the next
 * deployment — nothing of it has reached the client yet — and, after the last, to the
 * model's fallback model. Returns what the endpoint answers: a whole response, a deferred
 * one or a stream.
 */
@Component
public class GenerationServing {

    private final ModelCatalog catalog;

    private final DeploymentRouter router;

    private final PowerGovernor power;

    private final LocalGeneration local;

    private final RemoteGeneration remote;

    private final MeterRegistry meters;

    GenerationServing(ModelCatalog catalog, DeploymentRouter router, PowerGovernor power, LocalGeneration local,
            RemoteGeneration remote, MeterRegistry meters) {
        this.catalog = catalog;
        this.router = router;
        this.power = power;
        this.local = local;
        this.remote = remote;
        this.meters = meters;
    }

    public Object serve(GenerationCall call) {
        List<Deployment> route = router.route(call.model());
        if (route.isEmpty()) {
            throw OpenAiException.modelNotFound(call.model().name());
        }
        PowerGovernor.Admission admission = power.admit(route, Requester.of(call.caller()).priority());
        try {
            return serveOn(call, admission.deployments(), 0, admission::started);
        }
        finally {
            // whatever happened, it counts where it runs now, or nowhere
            admission.started();
        }
    }

    /**
     * @param started told once the request holds a slot or row, so power caps count it
     * there
     */
    private Object serveOn(GenerationCall call, List<Deployment> route, int index, Runnable started) {
        Deployment deployment = route.get(index);
        boolean last = index + 1 >= route.size();
        Function<GenerationCall, Object> next = last ? fallback(call) : failed -> {
            retried(call, deployment);
            return serveOn(failed, route, index + 1, started);
        };
        try {
            return deployment.local() ? local.serve(call, deployment.engine(), deployment.name())
                    : remote.serve(call, deployment.remote(), next, started);
        }
        catch (AdmissionRefusedException full) {
            if (last) {
                throw full;
            }
            // its queue (the server's slots, the engine's rows) is full: another
            // deployment may have room
            retried(call, deployment);
            return serveOn(call, route, index + 1, started);
        }
    }

    private Function<GenerationCall, Object> fallback(GenerationCall call) {
        String fallback = call.model().fallbackModel();
        return fallback == null ? null : failed -> serve(failed.onModel(catalog.find(fallback).orElseThrow()));
    }

    private void retried(GenerationCall call, Deployment failed) {
        Counter.builder("tokenfactory.inference.routing.retried")
            .tag("model", call.model().name())
            .tag("deployment", failed.name())
            .description("requests a deployment failed before answering, retried on the next")
            .register(meters)
            .increment();
    }

}
