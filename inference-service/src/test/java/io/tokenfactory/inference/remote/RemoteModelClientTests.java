package io.tokenfactory.inference.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;

import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;

import org.junit.jupiter.api.Test;

/**
 * What a remote model is called upstream, and how its tokens are counted without its
 * tokenizer.
 */
class RemoteModelClientTests {

    @Test
    void withoutATokenizerAboutFourUtf8BytesMakeATokenRoundedUp() {
        RemoteModelClient backend = backend(null);

        assertThat(backend.countsExactly()).isFalse();
        assertThat(backend.countTokens("abcd")).isEqualTo(1);
        assertThat(backend.countTokens("abcde")).isEqualTo(2);
        assertThat(backend.countTokens("a")).isEqualTo(1);
        // three bytes each in UTF-8
        assertThat(backend.countTokens("€€€€")).isEqualTo(3);
        assertThat(backend.countTokens("")).isZero();
        assertThat(backend.countTokens(null)).isZero();
    }

    @Test
    void theUpstreamModelIsTheConfiguredOneOrElseTheModelsOwnName() {
        assertThat(backend("meta-llama/Llama-3.1-8B-Instruct").upstreamModel())
            .isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(backend(null).upstreamModel()).isEqualTo("llama-3.1-8b");
        assertThat(backend("  ").upstreamModel()).isEqualTo("llama-3.1-8b");
        assertThat(backend(null).host()).isEqualTo("vllm");
    }

    private static RemoteModelClient backend(String upstreamModel) {
        ModelSettings model = new ModelSettings("llama-3.1-8b", ModelTask.GENERATION, ModelBackend.REMOTE, "PyTorch",
                "cpu", null, null, 8192, 1024, 256, 16, 64,
                new ModelSettings.RemoteSettings(URI.create("http://vllm:8000/v1"), null, upstreamModel,
                        Duration.ofSeconds(60), null, 50, Duration.ofSeconds(30), null, null, 256, 64,
                        Duration.ofSeconds(30)),
                java.util.List.of(), ModelSettings.RoutingSettings.defaults());
        return new RemoteModelClient(model, model.servedBy().get(0), null, null, null);
    }

}
