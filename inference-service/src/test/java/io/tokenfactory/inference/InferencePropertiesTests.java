package io.tokenfactory.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The model list's own rules: unique names, known fallbacks, and where each model is to
 * be found.
 */
class InferencePropertiesTests {

    @Test
    void modelNamesMustBeUnique() {
        assertThat(properties(local("a"), local("b")).isEveryModelNamedOnce()).isTrue();
        assertThat(properties(local("a"), remote("a", null)).isEveryModelNamedOnce()).isFalse();
    }

    @Test
    void aFallbackMustNameAnotherConfiguredModel() {
        assertThat(properties(local("moby"), remote("llama", "moby")).isEveryFallbackKnown()).isTrue();
        assertThat(properties(remote("llama", "llama")).isEveryFallbackKnown()).isFalse();
        assertThat(properties(remote("llama", "mistral")).isEveryFallbackKnown()).isFalse();
        assertThat(properties(remote("llama", null)).isEveryFallbackKnown()).isTrue();
    }

    @Test
    void aLocalModelNeedsALocationAndARemoteOneItsServer() {
        assertThat(local("moby").isWhereaboutsKnown()).isTrue();
        assertThat(remote("llama", null).isWhereaboutsKnown()).isTrue();
        assertThat(model("moby", ModelBackend.LOCAL, " ", null).isWhereaboutsKnown()).isFalse();
        assertThat(model("llama", ModelBackend.REMOTE, "classpath:x", null).isWhereaboutsKnown()).isFalse();
    }

    @Test
    void deploymentsAreNamedOnceAcrossModelsAndPlacedWhereTheyCanRun() {
        ModelSettings spread = deployed("llama", ModelBackend.REMOTE, server("llama-a"), server("llama-b"));
        assertThat(spread.isEveryDeploymentPlaced()).isTrue();
        assertThat(spread.isWhereaboutsKnown()).isTrue();
        assertThat(spread.servedBy()).extracting(ModelSettings.DeploymentSettings::name)
            .containsExactly("llama-a", "llama-b");
        assertThat(properties(spread, local("moby")).isEveryDeploymentNamedOnce()).isTrue();
        // a model on one server is a deployment named after the model
        assertThat(properties(spread, local("llama-a")).isEveryDeploymentNamedOnce()).isFalse();
        assertThat(local("moby").servedBy()).extracting(ModelSettings.DeploymentSettings::name).containsExactly("moby");

        assertThat(deployed("llama", ModelBackend.REMOTE, server("x"), server("x")).isEveryDeploymentPlaced())
            .isFalse();
        // a remote model has no engine here
        assertThat(deployed("llama", ModelBackend.REMOTE, here("x")).isEveryDeploymentPlaced()).isFalse();
        assertThat(deployed("moby", ModelBackend.LOCAL, here("x"), server("y")).isEveryDeploymentPlaced()).isTrue();
        assertThat(deployed("moby", ModelBackend.LOCAL, here("x"), here("y")).isEveryDeploymentPlaced()).isFalse();
        // a remote deployment needs its server
        assertThat(deployed("llama", ModelBackend.REMOTE,
                new ModelSettings.DeploymentSettings("x", ModelBackend.REMOTE, null, 1, 0))
            .isEveryDeploymentPlaced()).isFalse();
    }

    @Test
    void aModelListsItsServersOnceAndOnlyGenerationModelsSpread() {
        ModelSettings both = new ModelSettings("llama", ModelTask.GENERATION, ModelBackend.REMOTE, "PyTorch", "cpu",
                null, null, 256, 256, 128, 16, 64, remoteSettings(null), List.of(server("a")),
                ModelSettings.RoutingSettings.defaults());
        assertThat(both.isOneFormUsed()).isFalse();
        ModelSettings embedding = new ModelSettings("minilm", ModelTask.EMBEDDING, ModelBackend.REMOTE, "PyTorch",
                "cpu", null, null, 256, 1, 1, 16, 64, null, List.of(server("a"), server("b")),
                ModelSettings.RoutingSettings.defaults());
        assertThat(embedding.isEmbeddingInOnePlace()).isFalse();
    }

    @Test
    void theFallbackModelIsTheFirstOneADeploymentNames() {
        ModelSettings.DeploymentSettings withFallback = new ModelSettings.DeploymentSettings("b", ModelBackend.REMOTE,
                remoteSettings("moby"), 1, 0);
        ModelSettings model = deployed("llama", ModelBackend.REMOTE, server("a"), withFallback);
        assertThat(model.fallbackModel()).isEqualTo("moby");
        assertThat(properties(model, local("moby")).isEveryFallbackKnown()).isTrue();
        assertThat(properties(model).isEveryFallbackKnown()).isFalse();
    }

    private static ModelSettings deployed(String name, ModelBackend backend,
            ModelSettings.DeploymentSettings... deployments) {
        return new ModelSettings(name, ModelTask.GENERATION, backend, "PyTorch", "cpu",
                backend == ModelBackend.LOCAL ? "classpath:models/" + name : null, null, 256, 256, 128, 16, 64, null,
                List.of(deployments), ModelSettings.RoutingSettings.defaults());
    }

    private static ModelSettings.DeploymentSettings server(String name) {
        return new ModelSettings.DeploymentSettings(name, ModelBackend.REMOTE, remoteSettings(null), 1, 0);
    }

    private static ModelSettings.DeploymentSettings here(String name) {
        return new ModelSettings.DeploymentSettings(name, ModelBackend.LOCAL, null, 1, 0);
    }

    private static ModelSettings.RemoteSettings remoteSettings(String fallback) {
        return new ModelSettings.RemoteSettings(URI.create("http://vllm:8000/v1"), null, null, Duration.ofSeconds(60),
                fallback, 50, Duration.ofSeconds(30), null, null, 256, 64, Duration.ofSeconds(30));
    }

    private static InferenceProperties properties(ModelSettings... models) {
        return new InferenceProperties("local", null, List.of(models), null, null, null, null, null, null, null);
    }

    private static ModelSettings local(String name) {
        return model(name, ModelBackend.LOCAL, "classpath:models/" + name, null);
    }

    private static ModelSettings remote(String name, String fallback) {
        return model(name, ModelBackend.REMOTE, null,
                new ModelSettings.RemoteSettings(URI.create("http://vllm:8000/v1"), null, null, Duration.ofSeconds(60),
                        fallback, 50, Duration.ofSeconds(30), null, null, 256, 64, Duration.ofSeconds(30)));
    }

    private static ModelSettings model(String name, ModelBackend backend, String location,
            ModelSettings.RemoteSettings remote) {
        return new ModelSettings(name, ModelTask.GENERATION, backend, "PyTorch", "cpu", location, null, 256, 256, 128,
                16, 64, remote, java.util.List.of(), ModelSettings.RoutingSettings.defaults());
    }

}
