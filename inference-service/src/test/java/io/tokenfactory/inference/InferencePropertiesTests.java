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
