package io.tokenfactory.inference.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;

import org.springframework.stereotype.Component;

/** The configured models, by the name clients use. */
@Component
public class ModelCatalog {

    private final Map<String, ModelSettings> models = new LinkedHashMap<>();

    ModelCatalog(InferenceProperties properties) {
        properties.models().forEach(model -> models.put(model.name(), model));
    }

    public Optional<ModelSettings> find(String name) {
        return Optional.ofNullable(name).map(models::get);
    }

    public List<ModelSettings> all() {
        return List.copyOf(models.values());
    }

    public List<ModelSettings> local(ModelTask task) {
        return models.values().stream().filter(m -> m.task() == task && m.backend() == ModelBackend.LOCAL).toList();
    }

}
