package io.tokenfactory.gateway;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stands in for the four services behind the gateway (a true edge for these tests): it echoes what it received,
 * knows a set of departments, can be held back on purpose, streams server-sent events one chunk at a time and
 * answers chat completions with an OpenAI usage block.
 */
public final class StubUpstream implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Prompt tokens every stub completion reports. */
    public static final long PROMPT_TOKENS = 10;

    public final Set<UUID> knownDepartments = ConcurrentHashMap.newKeySet();
    /** Headers of the last request per path, lower-cased names. */
    public final Map<String, Map<String, String>> lastHeaders = new ConcurrentHashMap<>();
    /** Tokens reported by all completions answered so far. */
    public final AtomicLong tokensServed = new AtomicLong();
    /** Calls to the flaky endpoint, which fails every other call. */
    public final AtomicLong flakyCalls = new AtomicLong();
    /** Completed by a test to let the held endpoint and the second SSE chunk go. */
    public volatile CompletableFuture<Void> release = new CompletableFuture<>();

    private final DisposableServer server;

    public StubUpstream() {
        server = HttpServer.create().host("localhost").port(0)
                .route(routes -> routes
                        .get("/api/billing/departments/{id}", (request, response) -> department(request, response))
                        .route(request -> request.uri().startsWith("/api/metering/slow"),
                                (request, response) -> Mono.fromFuture(release).then(echo(request, response, 200)))
                        .route(request -> request.uri().startsWith("/v1/stream"), this::stream)
                        .route(request -> request.uri().startsWith("/api/metering/flaky"),
                                (request, response) -> echo(request, response, flakyCalls.incrementAndGet() % 2 == 1 ? 503 : 200))
                        .post("/v1/chat/completions", this::completion)
                        .route(request -> true, (request, response) -> echo(request, response, 200)))
                .bindNow();
    }

    public String url() {
        return "http://localhost:" + server.port();
    }

    private Publisher<Void> department(HttpServerRequest request, HttpServerResponse response) {
        String id = request.param("id");
        boolean known = knownDepartments.stream().anyMatch(department -> department.toString().equals(id));
        return echo(request, response, known ? 200 : 404);
    }

    private Mono<Void> echo(HttpServerRequest request, HttpServerResponse response, int status) {
        remember(request);
        String body = "{\"served\":\"" + request.method().name() + " " + request.uri() + "\"}";
        return request.receive().then(response.status(status).header("Content-Type", "application/json")
                .sendString(Mono.just(body)).then());
    }

    /** Answers with completion tokens equal to the request's max_tokens, like a model that talks to its limit. */
    private Publisher<Void> completion(HttpServerRequest request, HttpServerResponse response) {
        remember(request);
        return request.receive().aggregate().asString().defaultIfEmpty("{}").flatMap(body -> {
            JsonNode json = JSON.readTree(body);
            long completion = json.path("max_tokens").asLong(16);
            long total = PROMPT_TOKENS + completion;
            tokensServed.addAndGet(total);
            String usage = "{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"completion_tokens\":" + completion
                    + ",\"total_tokens\":" + total + "}";
            if (json.path("stream").asBoolean(false)) {
                return response.header("Content-Type", "text/event-stream").sendString(Flux.just(
                        "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n",
                        "data: {\"choices\":[],\"usage\":" + usage + "}\n\n", "data: [DONE]\n\n")).then();
            }
            return response.header("Content-Type", "application/json").sendString(Mono.just(
                    "{\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":" + usage + "}"))
                    .then();
        });
    }

    /** First event at once, the second only after the test released it: proves nothing buffers the stream. */
    private Publisher<Void> stream(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().then(response.header("Content-Type", "text/event-stream").sendString(Flux.concat(
                Mono.just("data: {\"chunk\":1}\n\n"),
                Mono.fromFuture(release).then(Mono.just("data: {\"chunk\":2}\n\ndata: [DONE]\n\n")))).then());
    }

    private void remember(HttpServerRequest request) {
        lastHeaders.put(request.fullPath(), request.requestHeaders().entries().stream()
                .collect(Collectors.toMap(entry -> entry.getKey().toLowerCase(), Map.Entry::getValue, (a, b) -> a)));
    }

    @Override
    public void close() {
        release.complete(null);
        server.disposeNow();
    }
}
