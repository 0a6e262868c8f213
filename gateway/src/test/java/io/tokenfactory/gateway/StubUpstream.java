package io.tokenfactory.gateway;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Request;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stands in for the four services behind the gateway (a true edge for these tests): it
 * echoes what it received, knows a set of departments, can be held back on purpose,
 * streams server-sent events one chunk at a time and answers chat completions with an
 * OpenAI usage block.
 */
public final class StubUpstream implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String DEPARTMENTS = "/api/billing/departments/";

    /** Prompt tokens every stub completion reports. */
    public static final long PROMPT_TOKENS = 10;

    /** The model whose completions stream one token per chunk ({@link #tokenStream}). */
    public static final String TOKEN_STREAM = "token-stream";

    public final Set<UUID> knownDepartments = ConcurrentHashMap.newKeySet();

    /** Tokens reported by all completions answered so far. */
    public final AtomicLong tokensServed = new AtomicLong();

    /** Calls to the flaky endpoint, which fails every other call. */
    public final AtomicLong flakyCalls = new AtomicLong();

    /**
     * Billing's budget snapshot: each department's budget as {@code [limit, spent,
     * hardCap]}; every model costs {@link #PROMPT_PRICE} and {@link #COMPLETION_PRICE}
     * per million tokens. Cleared to make billing unreachable ({@link #billingAway}).
     */
    public final Map<UUID, String[]> budgets = new ConcurrentHashMap<>();

    /** While true, the budget snapshot answers 503 (billing down). */
    public volatile boolean billingAway;

    /**
     * The most completion tokens {@code stub-model} may produce, as the model list says.
     */
    public static final long STUB_MODEL_MAX_OUTPUT = 20;

    private static final String MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"stub-model\",\"object\":\"model\","
            + "\"max_output_tokens\":" + STUB_MODEL_MAX_OUTPUT + "},{\"id\":\"tf-tiny\",\"object\":\"model\","
            + "\"max_output_tokens\":" + STUB_MODEL_MAX_OUTPUT + "}]}";

    public static final String PROMPT_PRICE = "1000";

    public static final String COMPLETION_PRICE = "2000";

    /** Completed by a test to let the held endpoint and the second SSE chunk go. */
    public volatile CompletableFuture<Void> release = new CompletableFuture<>();

    private final StubHttpServer server = new StubHttpServer();

    public StubUpstream() {
        server.route("GET", "/api/billing/budget-snapshot", request -> budgetSnapshot())
            .route("GET", "/v1/models",
                    request -> request.path().equals("/v1/models") ? Response.json(200, MODELS) : echo(request, 200))
            .route("GET", DEPARTMENTS, this::department)
            .route("/api/metering/slow", request -> {
                release.join();
                return echo(request, 200);
            })
            .route("/v1/stream", request -> Response.eventStream(events -> {
                events.data("{\"chunk\":1}");
                release.join();
                events.data("{\"chunk\":2}");
                events.data("[DONE]");
            }))
            .route("/api/metering/flaky", request -> echo(request, flakyCalls.incrementAndGet() % 2 == 1 ? 503 : 200))
            .route("POST", "/v1/chat/completions", this::completion)
            .route("/", request -> echo(request, 200));
    }

    public String url() {
        return server.url();
    }

    /** Every request to a path (without its query), in order. */
    public List<Request> received(String path) {
        return server.requests().stream().filter(request -> request.path().equals(path)).toList();
    }

    /**
     * Headers of the last request to a path (without its query), lower-cased names, first
     * value of each.
     */
    public Map<String, String> lastHeaders(String path) {
        List<Request> requests = server.requests();
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (requests.get(i).path().equals(path)) {
                return requests.get(i)
                    .headers()
                    .entrySet()
                    .stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, header -> header.getValue().get(0)));
            }
        }
        throw new AssertionError("The upstream received no request to " + path);
    }

    /**
     * Known departments exist; a path below one (not a department lookup) is echoed like
     * any other.
     */
    private Response department(Request request) {
        String id = request.path().substring(DEPARTMENTS.length());
        boolean lookup = !id.isEmpty() && !id.contains("/");
        boolean known = knownDepartments.stream().anyMatch(department -> department.toString().equals(id));
        return echo(request, !lookup || known ? 200 : 404);
    }

    private Response budgetSnapshot() {
        if (billingAway) {
            return Response.json(503, "{\"detail\":\"billing is away\"}");
        }
        String departments = budgets.entrySet()
            .stream()
            .map(budget -> "{\"departmentId\":\"" + budget.getKey() + "\",\"monthlyBudget\":" + budget.getValue()[0]
                    + ",\"hardCap\":" + budget.getValue()[2] + ",\"softAlertPercent\":80,\"spent\":"
                    + budget.getValue()[1] + "}")
            .collect(Collectors.joining(","));
        String prices = java.util.stream.Stream.of("stub-model", TOKEN_STREAM)
            .map(model -> "{\"model\":\"" + model + "\",\"embedding\":false,\"promptPerMillion\":" + PROMPT_PRICE
                    + ",\"completionPerMillion\":" + COMPLETION_PRICE + ",\"embeddingPerMillion\":0}")
            .collect(Collectors.joining(","));
        return Response.json(200,
                "{\"asOf\":\"" + java.time.Instant.now() + "\",\"period\":\""
                        + java.time.YearMonth.now(java.time.ZoneOffset.UTC) + "\",\"timeZone\":\"UTC\","
                        + "\"currency\":\"EUR\",\"departments\":[" + departments + "],\"prices\":[" + prices + "]}");
    }

    private static Response echo(Request request, int status) {
        String target = request.path() + (request.query() == null ? "" : "?" + request.query());
        return Response.json(status, "{\"served\":\"" + request.method() + " " + target + "\"}");
    }

    /**
     * Answers with completion tokens equal to the request's max_tokens, like a model that
     * talks to its limit.
     */
    private Response completion(Request request) {
        JsonNode json = JSON.readTree(request.body().isEmpty() ? "{}" : request.body());
        if (TOKEN_STREAM.equals(json.path("model").asString(""))) {
            return tokenStream(json);
        }
        long completion = json.path("max_tokens").asLong(16);
        long total = PROMPT_TOKENS + completion;
        tokensServed.addAndGet(total);
        String usage = "{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + total + "}";
        if (json.path("stream").asBoolean(false)) {
            return Response.eventStream(events -> {
                events.data("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}");
                events.data("{\"choices\":[],\"usage\":" + usage + "}");
                events.data("[DONE]");
            });
        }
        return Response.json(200, "{\"object\":\"chat.completion\","
                + "\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":" + usage + "}");
    }

    /**
     * A stream of one token per chunk, as our engines send it: {@code max_tokens} content
     * chunks, then, if the request asked for it ({@code stream_options.include_usage}),
     * the usage chunk and {@code [DONE]}. {@code continuous_usage} puts the usage so far
     * in every chunk; {@code stream_id} names the chunks' id; {@code drop_after} drops
     * the connection after that many chunks (an upstream that dies); {@code hold_after}
     * waits for {@link #release} after that many.
     */
    private Response tokenStream(JsonNode json) {
        long tokens = json.path("max_tokens").asLong(16);
        boolean includeUsage = json.at("/stream_options/include_usage").asBoolean(false);
        boolean continuous = json.path("continuous_usage").asBoolean(false);
        long dropAfter = json.path("drop_after").asLong(-1);
        long holdAfter = json.path("hold_after").asLong(-1);
        String id = json.hasNonNull("stream_id") ? "\"id\":\"" + json.get("stream_id").asString() + "\"," : "";
        return Response.eventStream(events -> {
            for (long i = 1; i <= tokens; i++) {
                events.data("{" + id + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + i + "\"}}]"
                        + (continuous ? ",\"usage\":" + usage(PROMPT_TOKENS, i) : "") + "}");
                if (i == dropAfter) {
                    throw new StubHttpServer.DroppedConnection();
                }
                if (i == holdAfter) {
                    release.join();
                }
            }
            if (includeUsage) {
                events.data("{\"choices\":[],\"usage\":" + usage(PROMPT_TOKENS, tokens) + "}");
            }
            events.data("[DONE]");
        });
    }

    private static String usage(long prompt, long completion) {
        return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (prompt + completion) + "}";
    }

    @Override
    public void close() {
        release.complete(null);
        server.close();
    }

}
