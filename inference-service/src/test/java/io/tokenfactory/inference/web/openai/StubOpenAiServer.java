package io.tokenfactory.inference.web.openai;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Request;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A remote model server that speaks the OpenAI protocol, at the edge of the tests: it
 * answers chat completions (whole or streamed) with a fixed text, reports usage unless
 * the model is {@code no-usage}, and fails with 500 while {@link #failing} is set. It
 * remembers every request body it received.
 */
final class StubOpenAiServer implements AutoCloseable {

    static final String TEXT = "Hello from the remote model.";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    /** The {@code traceparent} of each request received ("none" where it had none). */
    final List<String> traceparents = new CopyOnWriteArrayList<>();

    final AtomicBoolean failing = new AtomicBoolean();

    private final StubHttpServer server = new StubHttpServer();

    StubOpenAiServer() {
        server.route("/v1/chat/completions", this::chat);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    private Response chat(Request call) {
        JsonNode request = JSON.readTree(call.body());
        received.add(request);
        traceparents.add(call.header("traceparent") == null ? "none" : call.header("traceparent"));
        if (failing.get()) {
            return Response.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
        }
        if (request.path("max_tokens").asInt(0) > 1000) {
            return Response.json(400, "{\"error\":{\"message\":\"max_tokens too large\","
                    + "\"type\":\"invalid_request_error\",\"code\":null}}");
        }
        boolean usage = !"no-usage".equals(request.path("model").asString());
        String model = request.path("model").asString();
        if (!request.path("stream").asBoolean(false)) {
            Map<String, Object> body = Map.of("id", "chatcmpl-stub", "object", "chat.completion", "created", 1, "model",
                    model, "choices", List.of(Map.of("index", 0, "finish_reason", "stop", "message",
                            Map.of("role", "assistant", "content", TEXT))));
            String json = JSON.writeValueAsString(body);
            if (usage) {
                json = json.substring(0, json.length() - 1)
                        + ",\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";
            }
            return Response.json(200, json);
        }
        boolean usageChunk = usage && request.path("stream_options").path("include_usage").asBoolean(false);
        return Response.eventStream(events -> {
            for (String word : TEXT.split("(?<= )")) {
                events.data(chunk(model, List.of(Map.of("index", 0, "delta", Map.of("content", word)))));
            }
            events.data(chunk(model, List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "stop"))));
            if (usageChunk) {
                events.data(JSON.writeValueAsString(Map.of("id", "chatcmpl-stub", "object", "chat.completion.chunk",
                        "created", 1, "model", model, "choices", List.of(), "usage",
                        Map.of("prompt_tokens", 11, "completion_tokens", 7, "total_tokens", 18))));
            }
            events.data("[DONE]");
        });
    }

    private static String chunk(String model, List<Map<String, Object>> choices) {
        return JSON.writeValueAsString(Map.of("id", "chatcmpl-stub", "object", "chat.completion.chunk", "created", 1,
                "model", model, "choices", choices));
    }

    @Override
    public void close() {
        server.close();
    }

}
