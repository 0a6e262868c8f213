package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;

import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OpenAI's official Java client, unchanged, pointed at this service. */
@ServiceIntegrationTest
class OpenAiJavaClientIntegrationTests {

    @LocalServerPort
    int port;

    private OpenAIClient client;

    private OpenAIClient client() {
        if (client == null) {
            client = OpenAIOkHttpClient.builder()
                .baseUrl("http://localhost:" + port + "/v1")
                .apiKey(TestTokens.department(UUID.randomUUID(), "inference"))
                .maxRetries(0)
                .build();
        }
        return client;
    }

    /**
     * OkHttp's dispatcher threads are not daemons: an open client keeps the test JVM from
     * exiting.
     */
    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void chat() {
        ChatCompletion completion = client().chat()
            .completions()
            .create(ChatCompletionCreateParams.builder()
                .model("byte-lm-moby")
                .addUserMessage("Call me Ishmael.")
                .maxCompletionTokens(30)
                .seed(1)
                .build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).get().asString().isNotBlank();
        assertThat(completion.usage()).get().satisfies(usage -> {
            assertThat(usage.completionTokens()).isEqualTo(30);
            assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 30);
        });
    }

    @Test
    void streamingChat() {
        StringBuilder text = new StringBuilder();
        long[] completionTokens = { -1 };
        try (StreamResponse<ChatCompletionChunk> stream = client().chat()
            .completions()
            .createStreaming(ChatCompletionCreateParams.builder()
                .model("byte-lm-moby")
                .addUserMessage("The whale")
                .maxCompletionTokens(25)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(usage -> completionTokens[0] = usage.completionTokens());
            });
        }
        assertThat(text).isNotEmpty();
        assertThat(completionTokens[0]).isEqualTo(25);
    }

    @Test
    void embeddings() {
        CreateEmbeddingResponse response = client().embeddings()
            .create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2")
                .inputOfArrayOfStrings(List.of("whale", "ship"))
                .build());

        assertThat(response.data()).hasSize(2);
        assertThat(response.data().get(0).embedding()).hasSize(384);
        assertThat(response.usage().promptTokens()).isPositive();
    }

    @Test
    void anUnknownModelIsTheClientsNotFoundError() {
        assertThatThrownBy(() -> client().chat()
            .completions()
            .create(ChatCompletionCreateParams.builder().model("gpt-imaginary").addUserMessage("hi").build()))
            .isInstanceOf(NotFoundException.class);
    }

}
