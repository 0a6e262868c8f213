package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Map;
import java.util.Optional;

import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.security.InferenceWebMvcSlice;
import io.tokenfactory.inference.serving.EmbeddingCall;
import io.tokenfactory.inference.serving.EmbeddingServing;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * The checks of {@code POST /v1/embeddings} before anything is embedded, as a Web MVC
 * slice.
 */
@WebMvcTest(EmbeddingsController.class)
@Import(InferenceWebMvcSlice.class)
class EmbeddingsControllerTests {

    private static final ModelSettings MINILM = new ModelSettings("all-minilm-l6-v2", ModelTask.EMBEDDING,
            ModelBackend.LOCAL, "OnnxRuntime", "cpu", "classpath:x", null, 256, 256, 128, 16, 64, null,
            java.util.List.of(), ModelSettings.RoutingSettings.defaults());

    private static final ModelSettings MOBY = new ModelSettings("byte-lm-moby", ModelTask.GENERATION,
            ModelBackend.LOCAL, "PyTorch", "cpu", "classpath:y", null, 256, 255, 128, 16, 64, null, java.util.List.of(),
            ModelSettings.RoutingSettings.defaults());

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    ModelCatalog catalog;

    @MockitoBean
    EmbeddingServing serving;

    @BeforeEach
    void models() {
        when(catalog.find("all-minilm-l6-v2")).thenReturn(Optional.of(MINILM));
        when(catalog.find("byte-lm-moby")).thenReturn(Optional.of(MOBY));
        when(serving.serve(any())).thenAnswer(call -> ResponseEntity.ok(Map.of("object", "list")));
    }

    @Test
    void aStringOrAnArrayOfStringsIsEmbeddedAsFloatsUnlessBase64IsAsked() {
        assertThat(embed("\"input\": \"whale\"")).hasStatusOk();
        assertThat(served().inputs()).containsExactly("whale");
        assertThat(served().format()).isEqualTo("float");
        assertThat(served().dimensions()).isFalse();

        assertThat(embed("\"input\": [\"a\", \"b\"], \"encoding_format\": \"base64\", \"dimensions\": 64"))
            .hasStatusOk();
        assertThat(served().inputs()).containsExactly("a", "b");
        assertThat(served().format()).isEqualTo("base64");
        assertThat(served().dimensions()).isTrue();
    }

    @Test
    void theInputIsRequiredAndHoldsOneTo2048NonEmptyStrings() {
        assertThat(embed("\"input\": null")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.code")
            .isEqualTo("missing_required_parameter");
        assertThat(embed("\"input\": []")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.message")
            .isEqualTo("'input' must be a string or an array of 1 to 2048 strings.");
        assertThat(embed("\"input\": [" + "\"x\",".repeat(2048) + "\"x\"]")).hasStatus(400);
        assertThat(embed("\"input\": [1, 2, 3]")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.message")
            .isEqualTo("'input' must be a string or an array of strings (token arrays are not supported).");
        assertThat(embed("\"input\": [\"a\", \"\"]")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.message")
            .isEqualTo("'input' must not contain empty strings.");
        verify(serving, never()).serve(any());
    }

    @Test
    void theFormatIsFloatOrBase64AndTheModelMustEmbed() {
        assertThat(embed("\"input\": \"x\", \"encoding_format\": \"hex\"")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.param")
            .isEqualTo("encoding_format");
        assertThat(mvc.post()
            .uri("/v1/embeddings")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer inference")
            .content("{\"model\": \"byte-lm-moby\", \"input\": \"x\"}")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.code")
            .isEqualTo("model_not_supported");
    }

    private EmbeddingCall served() {
        ArgumentCaptor<EmbeddingCall> call = ArgumentCaptor.forClass(EmbeddingCall.class);
        verify(serving, atLeastOnce()).serve(call.capture());
        return call.getValue();
    }

    private MvcTestResult embed(String fields) {
        return mvc.post()
            .uri("/v1/embeddings")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer inference")
            .content("{\"model\": \"all-minilm-l6-v2\", " + fields + "}")
            .exchange();
    }

}
