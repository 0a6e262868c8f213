package io.tokenfactory.agents;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Request;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway as agent-service sees it, at the edge of the tests: it issues agent keys
 * (only to agent-service's key) and answers OpenAI chat completions like a model that can
 * call tools. The model name picks the behaviour: {@code tool-caller} calls remember and
 * a forbidden http_get before answering; {@code slow-N} answers after N ms;
 * {@code broken} fails (500); {@code down} is unavailable (503); anything else answers at
 * once. It also plays billing-service's per-run charges.
 */
public final class StubGateway {

    public static final String SERVICE_KEY = "tf_agent_service_test_key";

    /** One chat completion as the stub received it. */
    public record Completion(String authorization, String agentRunId, JsonNode body) {
    }

    private static final StubGateway SHARED = new StubGateway();

    public final List<JsonNode> keyRequests = new CopyOnWriteArrayList<>();

    public final List<String> revoked = new CopyOnWriteArrayList<>();

    /** Tags set on keys after they were issued: key id and the tags, in order. */
    public final List<Map.Entry<String, JsonNode>> tagUpdates = new CopyOnWriteArrayList<>();

    public final List<String> billingCallers = new CopyOnWriteArrayList<>();

    public final List<Completion> completions = new CopyOnWriteArrayList<>();

    /** Per agent key: requests in flight now, and the most ever in flight at once. */
    public final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public final Map<String, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();

    private final Map<String, String> agentOfKey = new ConcurrentHashMap<>();

    private final JsonMapper json = JsonMapper.builder().build();

    private final StubHttpServer server = new StubHttpServer();

    private StubGateway() {
        server.route("/api/tags", this::tagRules)
            .route("/api/keys", this::keys)
            .route("/v1/chat/completions", this::completion)
            .route("/api/billing/agent-runs/", this::runCharges);
    }

    public static StubGateway shared() {
        return SHARED;
    }

    public String url() {
        return server.url();
    }

    /** The agent a key secret was issued to. */
    public String agentOf(String authorization) {
        return agentOfKey.get(authorization.substring("Bearer ".length()));
    }

    private Response keys(Request call) {
        if (!("Bearer " + SERVICE_KEY).equals(call.header("Authorization"))) {
            return Response.json(401, "{\"code\":\"invalid_api_key\"}");
        }
        String path = call.path();
        if (path.endsWith("/tags")) {
            tagUpdates.add(Map.entry(path.split("/")[3], json.readTree(call.body()).path("tags")));
            return Response.json(200, "{}");
        }
        if (path.endsWith("/revoke")) {
            revoked.add(path.split("/")[3]);
            return Response.json(200, "{}");
        }
        JsonNode request = json.readTree(call.body());
        keyRequests.add(request);
        String secret = "tf_" + UUID.randomUUID().toString().replace("-", "");
        agentOfKey.put(secret, request.path("agentId").asString());
        ObjectNode response = json.createObjectNode().put("secret", secret);
        response.putObject("key")
            .put("id", UUID.randomUUID().toString())
            .put("agentId", request.path("agentId").asString());
        return Response.json(201, response.toString());
    }

    /**
     * The gateway's tag rules: team, project and, allowed by its administrator, costcode.
     */
    private Response tagRules(Request call) {
        if (!("Bearer " + SERVICE_KEY).equals(call.header("Authorization"))) {
            return Response.json(401, "{\"code\":\"invalid_api_key\"}");
        }
        return Response.json(200, "{\"alwaysAllowed\":[\"project\",\"team\"],\"allowedKeys\":[\"costcode\"]}");
    }

    /**
     * billing-service's answer for a run: fixed decimals, and only to a caller that
     * relayed its own token.
     */
    private Response runCharges(Request call) {
        String authorization = call.header("Authorization");
        billingCallers.add(authorization == null ? "" : authorization);
        String run = call.path().substring("/api/billing/agent-runs/".length());
        return Response.json(200, "{\"agentRunId\":\"" + run + "\",\"requests\":2,\"joules\":14.376739680,"
                + "\"cost\":0.000000998385,\"charge\":0.000252000000,\"currency\":\"EUR\"}");
    }

    private Response completion(Request call) {
        String authorization = call.header("Authorization");
        JsonNode body = json.readTree(call.body());
        completions.add(new Completion(authorization, call.header("X-Agent-Run-Id"), body));
        if (authorization == null || !agentOfKey.containsKey(authorization.substring("Bearer ".length()))) {
            return Response.json(401, "{\"error\":{\"message\":\"invalid key\"}}");
        }
        AtomicInteger now = inFlight.computeIfAbsent(authorization, key -> new AtomicInteger());
        int concurrent = now.incrementAndGet();
        mostInFlight.computeIfAbsent(authorization, key -> new AtomicInteger()).accumulateAndGet(concurrent, Math::max);
        try {
            String model = body.path("model").asString();
            if (model.equals("broken")) {
                return Response.json(500, "{\"error\":{\"message\":\"the model crashed\"}}");
            }
            else if (model.equals("down")) {
                return Response.json(503, "{\"error\":{\"message\":\"circuit open\"}}");
            }
            else if (model.equals("tool-caller")) {
                return Response.json(200, toolCaller(body));
            }
            if (model.startsWith("slow-")) {
                try {
                    Thread.sleep(Long.parseLong(model.substring(5))); // the model's
                                                                      // latency, not a
                                                                      // test waiting
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Response.json(200, answer("ok", null, 12, 3));
        }
        finally {
            now.decrementAndGet();
        }
    }

    /**
     * First turn: asks for two tools; once their answers are in the conversation: a final
     * answer quoting them.
     */
    private String toolCaller(JsonNode body) {
        JsonNode messages = body.path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        if (!last.path("role").asString().equals("tool")) {
            ArrayNode calls = json.createArrayNode();
            calls.addObject()
                .put("id", "call_1")
                .put("type", "function")
                .putObject("function")
                .put("name", "remember")
                .put("arguments", "{\"key\":\"greeting\",\"value\":\"hello\"}");
            calls.addObject()
                .put("id", "call_2")
                .put("type", "function")
                .putObject("function")
                .put("name", "http_get")
                .put("arguments", "{\"url\":\"http://example.org/secrets\"}");
            return answer(null, calls, 100, 20);
        }
        StringBuilder seen = new StringBuilder();
        messages.forEach(message -> {
            if (message.path("role").asString().equals("tool")) {
                seen.append(message.path("content").asString()).append(" | ");
            }
        });
        return answer("done: " + seen, null, 150, 10);
    }

    private String answer(String content, ArrayNode toolCalls, long prompt, long completion) {
        ObjectNode response = json.createObjectNode().put("id", "chatcmpl-stub").put("object", "chat.completion");
        ObjectNode choice = response.putArray("choices")
            .addObject()
            .put("index", 0)
            .put("finish_reason", toolCalls == null ? "stop" : "tool_calls");
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (content == null) {
            message.putNull("content");
        }
        else {
            message.put("content", content);
        }
        if (toolCalls != null) {
            message.set("tool_calls", toolCalls);
        }
        response.putObject("usage")
            .put("prompt_tokens", prompt)
            .put("completion_tokens", completion)
            .put("total_tokens", prompt + completion);
        return response.toString();
    }

    /**
     * Points every agent-service test context at the shared stub, without changing the
     * shared context's key.
     */
    public static final class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("stub-gateway",
                        Map.of("tokenfactory.agents.gateway.url", shared().url(),
                                "tokenfactory.agents.gateway.service-key", SERVICE_KEY,
                                "tokenfactory.agents.billing-url", shared().url())));
        }

    }

}
