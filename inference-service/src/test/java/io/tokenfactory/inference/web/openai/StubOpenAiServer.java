package io.tokenfactory.inference.web.openai;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A remote model server that speaks the OpenAI protocol, at the edge of the tests: it answers chat completions
 * (whole or streamed) with a fixed text, reports usage unless the model is {@code no-usage}, and fails with 500 while
 * {@link #failing} is set. It remembers every request body it received.
 */
final class StubOpenAiServer implements AutoCloseable {

    static final String TEXT = "Hello from the remote model.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final AtomicBoolean failing = new AtomicBoolean();
    private final HttpServer server;

    StubOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "stub-openai");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/v1/chat/completions", this::chat);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void chat(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        received.add(request);
        if (failing.get()) {
            send(exchange, 500, "application/json", "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
            return;
        }
        if (request.path("max_tokens").asInt(0) > 1000) {
            send(exchange, 400, "application/json",
                    "{\"error\":{\"message\":\"max_tokens too large\",\"type\":\"invalid_request_error\",\"code\":null}}");
            return;
        }
        boolean usage = !"no-usage".equals(request.path("model").asString());
        String model = request.path("model").asString();
        if (!request.path("stream").asBoolean(false)) {
            Map<String, Object> body = Map.of("id", "chatcmpl-stub", "object", "chat.completion", "created", 1,
                    "model", model, "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                            "message", Map.of("role", "assistant", "content", TEXT))));
            String json = JSON.writeValueAsString(body);
            if (usage) {
                json = json.substring(0, json.length() - 1)
                        + ",\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18}}";
            }
            send(exchange, 200, "application/json", json);
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String word : TEXT.split("(?<= )")) {
                event(out, Map.of("id", "chatcmpl-stub", "object", "chat.completion.chunk", "created", 1, "model", model,
                        "choices", List.of(Map.of("index", 0, "delta", Map.of("content", word)))));
            }
            event(out, Map.of("id", "chatcmpl-stub", "object", "chat.completion.chunk", "created", 1, "model", model,
                    "choices", List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "stop"))));
            if (usage && request.path("stream_options").path("include_usage").asBoolean(false)) {
                event(out, Map.of("id", "chatcmpl-stub", "object", "chat.completion.chunk", "created", 1, "model", model,
                        "choices", List.of(), "usage", Map.of("prompt_tokens", 11, "completion_tokens", 7,
                                "total_tokens", 18)));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void event(OutputStream out, Object chunk) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
