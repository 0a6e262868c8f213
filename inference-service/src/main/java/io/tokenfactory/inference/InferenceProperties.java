package io.tokenfactory.inference;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param node the declared node ({@code tokenfactory.nodes}) this instance runs on: its
 * local models' usage and energy name it. Not a pod or host name: replicas on one machine
 * share one node
 * @param outbox how usage events reach the broker
 * @param models the models this instance serves, local or remote
 * @param energy how node energy is settled and published (each node's meter is declared
 * with the node)
 * @param maxRequestSize larger request bodies are refused with 413 before they are read
 * @param streamTimeout the longest a streamed response may stay open
 * @param usage write-ahead usage: progress batches and orphaned requests
 * @param fairShare how work that has to wait for a model is admitted: weighted fair
 * queuing per department, interactive ahead of batch
 * @param router what routing between a model's deployments learns from
 * @param power how power caps are held
 */
@Validated
@ConfigurationProperties("tokenfactory.inference")
public record InferenceProperties(@NotBlank @DefaultValue("local") String node,
        @NotNull @Valid @DefaultValue OutboxSettings outbox, @NotEmpty @Valid List<ModelSettings> models,
        @NotNull @Valid @DefaultValue EnergySettings energy, @NotNull @DefaultValue("1MB") DataSize maxRequestSize,
        @NotNull @DefaultValue("10m") Duration streamTimeout, @NotNull @Valid @DefaultValue UsageSettings usage,
        @NotNull @Valid @DefaultValue FairShareSettings fairShare, @NotNull @Valid @DefaultValue RouterSettings router,
        @NotNull @Valid @DefaultValue PowerSettings power) {

    @AssertTrue(message = "model names must be unique")
    public boolean isEveryModelNamedOnce() {
        Set<String> names = new HashSet<>();
        return models == null || models.stream().allMatch(model -> model.name() == null || names.add(model.name()));
    }

    @AssertTrue(message = "a fallback model must name another configured model")
    public boolean isEveryFallbackKnown() {
        if (models == null) {
            return true;
        }
        Set<String> names = new HashSet<>();
        models.forEach(model -> names.add(model.name()));
        return models.stream()
            .filter(m -> m.fallbackModel() != null)
            .allMatch(m -> !m.fallbackModel().equals(m.name()) && names.contains(m.fallbackModel()));
    }

    @AssertTrue(message = "deployment names must be unique across models (usage and the capacity view name them)")
    public boolean isEveryDeploymentNamedOnce() {
        if (models == null) {
            return true;
        }
        Set<String> names = new HashSet<>();
        // a model on one server is a deployment named after the model: it counts too
        return models.stream()
            .filter(model -> model != null && model.name() != null)
            .flatMap(model -> model.deployments() == null || model.deployments().isEmpty()
                    ? java.util.stream.Stream.of(model.name())
                    : model.deployments().stream().filter(d -> d != null && d.name() != null).map(d -> d.name()))
            .allMatch(names::add);
    }
}
