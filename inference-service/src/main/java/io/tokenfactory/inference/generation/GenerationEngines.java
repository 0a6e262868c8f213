package io.tokenfactory.inference.generation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.energy.NodeEnergies;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.io.ResourceLoader;
import org.springframework.stereotype.Component;

/**
 * One {@link GenerationEngine} per configured local generation model, loaded at start-up.
 * Closed before the usage recorder (and so before the database): the requests it cancels
 * at shutdown still get their usage recorded.
 */
@Component
@DependsOn("usageRecorder")
public class GenerationEngines implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GenerationEngines.class);

    private final Map<String, GenerationEngine> engines = new LinkedHashMap<>();

    private final Map<String, NDManager> managers = new LinkedHashMap<>();

    GenerationEngines(ModelCatalog catalog, ResourceLoader resources, NodeEnergies nodes, MeterRegistry meters,
            Clock clock, InferenceProperties properties) {
        for (ModelSettings settings : catalog.local(ModelTask.GENERATION)) {
            if (!"PyTorch".equalsIgnoreCase(settings.engine())) {
                throw new IllegalStateException("local generation model " + settings.name() + " needs engine PyTorch");
            }
            NDManager manager = Engine.getEngine("PyTorch").newBaseManager(Device.fromName(settings.device()));
            ByteTransformer model;
            try (InputStream in = resources.getResource(settings.location()).getInputStream()) {
                model = ByteTransformer.load(manager, in);
            }
            catch (IOException e) {
                manager.close();
                throw new UncheckedIOException("cannot load model " + settings.name() + " from " + settings.location(),
                        e);
            }
            if (settings.contextLength() > model.shape().context()) {
                manager.close();
                throw new IllegalStateException("model " + settings.name() + " has a context of "
                        + model.shape().context() + ", less than the configured " + settings.contextLength());
            }
            managers.put(settings.name(), manager);
            engines.put(settings.name(), new GenerationEngine(settings.name(), model, manager, settings.maxBatch(),
                    settings.queueCapacity(), nodes.local(), clock, meters, properties.fairShare()));
            log.info("Loaded {} ({} parameters) on {}: context {}, max batch {}, queue {}", settings.name(),
                    model.shape().parameterCount(), manager.getDevice(), settings.contextLength(), settings.maxBatch(),
                    settings.queueCapacity());
        }
    }

    public Optional<GenerationEngine> find(String model) {
        return Optional.ofNullable(engines.get(model));
    }

    /** True when no local model has a request queued or running. */
    public boolean idle() {
        return engines.values().stream().allMatch(engine -> engine.inFlight() == 0);
    }

    @Override
    public void close() {
        engines.values().forEach(GenerationEngine::close);
        engines.forEach((name, engine) -> {
            if (engine.stopped()) {
                managers.get(name).close();
            }
            else {
                log.warn("Decode thread of {} still running; its native memory is left to the process exit", name);
            }
        });
    }

}
