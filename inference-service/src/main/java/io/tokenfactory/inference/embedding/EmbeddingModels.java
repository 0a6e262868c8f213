package io.tokenfactory.inference.embedding;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import ai.djl.Device;
import ai.djl.MalformedModelException;

import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ResourceLoader;
import org.springframework.stereotype.Component;

/**
 * One {@link EmbeddingModel} per configured local embedding model, loaded at start-up.
 */
@Component
public class EmbeddingModels implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddingModels.class);

    private final Map<String, EmbeddingModel> models = new LinkedHashMap<>();

    EmbeddingModels(ModelCatalog catalog, ResourceLoader resources) {
        for (ModelSettings settings : catalog.local(ModelTask.EMBEDDING)) {
            if (!"OnnxRuntime".equalsIgnoreCase(settings.engine())) {
                throw new IllegalStateException(
                        "local embedding model " + settings.name() + " needs engine OnnxRuntime");
            }
            if (settings.tokenizer() == null) {
                throw new IllegalStateException("local embedding model " + settings.name() + " needs a tokenizer");
            }
            try (InputStream onnx = resources.getResource(settings.location()).getInputStream();
                    InputStream tokenizer = resources.getResource(settings.tokenizer()).getInputStream()) {
                models.put(settings.name(),
                        new EmbeddingModel(settings.name(), onnx, tokenizer, Device.fromName(settings.device()),
                                settings.contextLength(), settings.maxBatch(), settings.queueCapacity()));
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot load embedding model " + settings.name(), e);
            }
            catch (MalformedModelException e) {
                throw new IllegalStateException("embedding model " + settings.name() + " is malformed", e);
            }
            log.info("Loaded embedding model {} from {} on {}", settings.name(), settings.location(),
                    settings.device());
        }
    }

    public Optional<EmbeddingModel> find(String name) {
        return Optional.ofNullable(models.get(name));
    }

    @Override
    public void close() {
        models.values().forEach(EmbeddingModel::close);
    }

}
