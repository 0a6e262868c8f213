package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.security.InferenceWebMvcSlice;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * {@code GET /v1/models} as a Web MVC slice: OpenAI's model objects from the catalog
 * (mocked), errors in OpenAI's shape, and the service's real security in front.
 */
@WebMvcTest(ModelsController.class)
@Import(InferenceWebMvcSlice.class)
class ModelsControllerTests {

    private static final ModelSettings MOBY = new ModelSettings("byte-lm-moby", ModelTask.GENERATION,
            ModelBackend.LOCAL, "PyTorch", "cpu", "classpath:models/byte-lm-moby/model.tfbt", null, 256, 255, 128, 16,
            64, null, java.util.List.of(), ModelSettings.RoutingSettings.defaults());

    private static final ModelSettings LLAMA = new ModelSettings("llama-3.1-8b", ModelTask.GENERATION,
            ModelBackend.REMOTE, "PyTorch", "cpu", null, null, 131_072, 8_192, 1_024, 16, 64,
            new ModelSettings.RemoteSettings(URI.create("http://vllm:8000/v1"), null, null, Duration.ofSeconds(60),
                    null, 50, Duration.ofSeconds(30), "gpu-node-7", null, 256, 64, Duration.ofSeconds(30)),
            java.util.List.of(), ModelSettings.RoutingSettings.defaults());

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    ModelCatalog catalog;

    @BeforeEach
    void catalog() {
        when(catalog.all()).thenReturn(List.of(MOBY, LLAMA));
        when(catalog.find("byte-lm-moby")).thenReturn(Optional.of(MOBY));
    }

    @Test
    void listsEveryModelWithWhatACallerNeedsToSizeARequest() {
        assertThat(get("/v1/models", "inference")).hasStatusOk()
            .bodyJson()
            .isLenientlyEqualTo(
                    """
                            {"object": "list", "data": [
                              {"id": "byte-lm-moby", "object": "model", "created": 1793872800, "owned_by": "token-factory",
                               "task": "generation",
                               "backend": "local", "device": "cpu", "context_length": 256, "max_model_len": 256,
                               "max_output_tokens": 255},
                              {"id": "llama-3.1-8b", "backend": "remote", "context_length": 131072, "max_output_tokens": 8192}]}""");
    }

    @Test
    void answersOneModelByName() {
        assertThat(get("/v1/models/byte-lm-moby", "inference")).hasStatusOk()
            .bodyJson()
            .extractingPath("$.id")
            .isEqualTo("byte-lm-moby");
    }

    @Test
    void anUnknownModelIsOpenAisModelNotFound() {
        assertThat(get("/v1/models/gpt-4o", "inference")).hasStatus(404).bodyJson().isLenientlyEqualTo("""
                {"error": {"type": "invalid_request_error", "param": "model", "code": "model_not_found",
                  "message": "The model 'gpt-4o' does not exist or you do not have access to it."}}""");
    }

    @Test
    void aKeyWithoutTheInferenceScopeMayNotListModels() {
        assertThat(get("/v1/models", "admin")).hasStatus(403)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("forbidden");
        assertThat(mvc.get().uri("/v1/models")).hasStatus(401);
    }

    private MvcTestResult get(String uri, String token) {
        return mvc.get().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
    }

}
