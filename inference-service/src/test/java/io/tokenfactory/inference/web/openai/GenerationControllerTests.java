package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.inference.catalog.ModelCatalog;
import io.tokenfactory.inference.security.InferenceWebMvcSlice;
import io.tokenfactory.inference.serving.GenerationCall;
import io.tokenfactory.inference.serving.GenerationServing;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * The checks of {@code POST /v1/chat/completions} and {@code /v1/completions} before
 * anything is served, as a Web MVC slice: what reaches {@link GenerationServing} (mocked)
 * and OpenAI's errors for what does not.
 */
@WebMvcTest(GenerationController.class)
@Import(InferenceWebMvcSlice.class)
class GenerationControllerTests {

    private static final ModelSettings MOBY = new ModelSettings("byte-lm-moby", ModelTask.GENERATION,
            ModelBackend.LOCAL, "PyTorch", "cpu", "classpath:models/byte-lm-moby/model.tfbt", null, 256, 255, 128, 16,
            64, null, java.util.List.of(), ModelSettings.RoutingSettings.defaults());

    private static final ModelSettings MINILM = new ModelSettings("all-minilm-l6-v2", ModelTask.EMBEDDING,
            ModelBackend.LOCAL, "OnnxRuntime", "cpu", "classpath:x", null, 256, 256, 128, 16, 64, null,
            java.util.List.of(), ModelSettings.RoutingSettings.defaults());

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    ModelCatalog catalog;

    @MockitoBean
    GenerationServing serving;

    @BeforeEach
    void models() {
        when(catalog.find("byte-lm-moby")).thenReturn(Optional.of(MOBY));
        when(catalog.find("all-minilm-l6-v2")).thenReturn(Optional.of(MINILM));
        when(serving.serve(any())).thenReturn(Map.of("object", "chat.completion"));
    }

    @Test
    void aChatRequestIsServedWithItsPromptLimitsAndSamplingAsChecked() {
        assertThat(chat("""
                {"model": "byte-lm-moby", "messages": [{"role": "user", "content": "Call me"}],
                 "max_tokens": 10, "max_completion_tokens": 20, "temperature": 0, "top_p": 0.5, "seed": 7,
                 "stop": ["\\n"], "stream": true, "stream_options": {"include_usage": true}}""", "inference"))
            .hasStatusOk();

        GenerationCall call = served();
        assertThat(call.kind()).isEqualTo(GenerationCall.Kind.CHAT);
        assertThat(call.prompt()).isEqualTo("Call me\n\n");
        assertThat(call.maxTokens()).isEqualTo(20);
        assertThat(call.temperature()).isZero();
        assertThat(call.topP()).isEqualTo(0.5);
        assertThat(call.seed()).isEqualTo(7);
        assertThat(call.stops()).containsExactly("\n");
        assertThat(call.stream()).isTrue();
        assertThat(call.includeUsage()).isTrue();
        assertThat(call.requestId()).startsWith("chatcmpl-");
        assertThat(call.caller().departmentId()).isEqualTo(InferenceWebMvcSlice.DEPARTMENT);
        assertThat(call.agentRunId()).isNull();
    }

    @Test
    void aCompletionTakesAPromptOrAnArrayOfExactlyOne() {
        assertThat(completion("{\"model\":\"byte-lm-moby\",\"prompt\":[\"Call me\"]}")).hasStatusOk();
        assertThat(served().prompt()).isEqualTo("Call me");
        assertThat(served().requestId()).startsWith("cmpl-");

        assertThat(completion("{\"model\":\"byte-lm-moby\",\"prompt\":[\"a\",\"b\"]}")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.param")
            .isEqualTo("prompt");
        assertThat(completion("{\"model\":\"byte-lm-moby\",\"prompt\":\"\"}")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.message")
            .isEqualTo("'prompt' must not be empty.");
    }

    @Test
    void onlyOneChoiceIsServed() {
        assertThat(chat(messages(", \"n\": 2"), "inference")).hasStatus(400).bodyJson().isLenientlyEqualTo("""
                {"error": {"param": "n", "message": "Only n = 1 is supported."}}""");
        verify(serving, never()).serve(any());
    }

    @Test
    void streamOptionsAreAnObjectWithABooleanAndOnlyForAStream() {
        assertThat(chat(messages(", \"stream_options\": {\"include_usage\": true}"), "inference")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.message")
            .isEqualTo("'stream_options' is only allowed when 'stream' is true.");
        assertThat(chat(messages(", \"stream\": true, \"stream_options\": {\"include_usage\": \"yes\"}"), "inference"))
            .hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.param")
            .isEqualTo("stream_options");
        assertThat(chat(messages(", \"stream\": true, \"stream_options\": null"), "inference")).hasStatusOk();
        assertThat(served().includeUsage()).isFalse();
    }

    @Test
    void theModelMustExistAndGenerate() {
        assertThat(chat("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "inference"))
            .hasStatus(404)
            .bodyJson()
            .extractingPath("$.error.code")
            .isEqualTo("model_not_found");
        assertThat(chat("{\"model\":\"all-minilm-l6-v2\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "inference"))
            .hasStatus(400)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"error": {"param": "model", "code": "model_not_supported"}}""");
    }

    @Test
    void aBodyThatIsNotJsonIsOpenAisInvalidJson() {
        assertThat(chat("{\"model\":", "inference")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.code")
            .isEqualTo("invalid_json");
    }

    @Test
    void inferenceIsChargedToADepartmentSoAnAdministratorsKeyMayNotRunIt() {
        assertThat(chat(messages(""), "inference+admin")).hasStatus(403)
            .bodyJson()
            .extractingPath("$.error.code")
            .isEqualTo("department_required");
    }

    @Test
    void anAgentsKeyNamesItsRunAndOnlyAsAUuid() {
        UUID run = UUID.randomUUID();

        assertThat(mvc.post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer inference+agent")
            .header("X-Agent-Run-Id", " " + run + " ")
            .content(messages(""))).hasStatusOk();
        assertThat(served().agentRunId()).isEqualTo(run);
        assertThat(mvc.post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer inference+agent")
            .header("X-Agent-Run-Id", "run-7")
            .content(messages(""))).hasStatus(400)
            .bodyJson()
            .extractingPath("$.error.message")
            .isEqualTo("'X-Agent-Run-Id' must be a UUID.");
        // a key bound to no agent has no run to name: the header is ignored
        assertThat(mvc.post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer inference")
            .header("X-Agent-Run-Id", "run-7")
            .content(messages(""))).hasStatusOk();
    }

    private static String messages(String more) {
        return "{\"model\":\"byte-lm-moby\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]" + more + "}";
    }

    private GenerationCall served() {
        ArgumentCaptor<GenerationCall> call = ArgumentCaptor.forClass(GenerationCall.class);
        verify(serving, atLeastOnce()).serve(call.capture());
        List<GenerationCall> calls = call.getAllValues();
        return calls.get(calls.size() - 1);
    }

    private MvcTestResult chat(String body, String token) {
        return mvc.post()
            .uri("/v1/chat/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
            .content(body)
            .exchange();
    }

    private MvcTestResult completion(String body) {
        return mvc.post()
            .uri("/v1/completions")
            .contentType(MediaType.APPLICATION_JSON)
            .header(HttpHeaders.AUTHORIZATION, "Bearer inference")
            .content(body)
            .exchange();
    }

}
