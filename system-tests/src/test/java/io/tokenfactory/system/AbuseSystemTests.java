package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import io.tokenfactory.gateway.identity.IdentityTokens;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile input against every public endpoint of the real suite: malformed and truncated
 * JSON, wrong types, huge bodies and numbers, negative values, NUL and broken Unicode,
 * SQL-injection and path-traversal strings in identifiers and filters, missing, unknown,
 * revoked and expired keys, forged and tampered identity tokens sent straight to the
 * services, spoofed identity headers. Every answer must be the right refusal as a problem
 * detail (or an OpenAI error) — never a 500, never a stack trace — and nothing in any
 * database may change.
 */
class AbuseSystemTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    // HTTP/1.1: the JDK client's h2c upgrade offer has its own open finding (see the
    // issue's note), not tested here
    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private static WholeFactory factory;

    private static HttpTestClient admin;

    private static String adminKey;

    private static String departmentKey;

    private static String revokedKey;

    private static String expiredKey;

    private static UUID department;

    private static UUID otherDepartment;

    private static String agent;

    /**
     * Every department scope, for the other department: it must still not reach this one.
     */
    private static String otherDepartmentKey;

    private static String webhook;

    /** Keys of one scope each (department scopes on the abused department), by scope. */
    private static final Map<String, String> KEY_OF_SCOPE = new LinkedHashMap<>();

    private static final List<String> DEPARTMENT_SCOPES = List.of("inference", "usage:read", "agents:read",
            "agents:write", "billing:read");

    private static final List<String> PLATFORM_SCOPES = List.of("billing:admin", "keys:admin", "metrics:read",
            "agent-keys");

    private final List<String> failures = new ArrayList<>();

    private int tried;

    @BeforeAll
    static void aFactoryWithADepartmentAndItsKeys() {
        factory = WholeFactory.get();
        admin = factory.admin();
        adminKey = factory.adminKey;
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        department = factory.department("Abused " + suffix, "CC-A" + suffix);
        otherDepartment = factory.department("Bystander " + suffix, "CC-B" + suffix);
        departmentKey = factory.key(department, DEPARTMENT_SCOPES).secret();
        otherDepartmentKey = factory.key(otherDepartment, DEPARTMENT_SCOPES).secret();
        for (String scope : DEPARTMENT_SCOPES) {
            KEY_OF_SCOPE.put(scope, factory.key(department, List.of(scope)).secret());
        }
        for (String scope : PLATFORM_SCOPES) {
            KEY_OF_SCOPE.put(scope,
                    admin.post("/api/keys", Map.of("name", "probe " + scope, "scopes", List.of(scope)))
                        .getBody()
                        .get("secret")
                        .asString());
        }
        webhook = admin
            .post("/api/billing/webhooks", Map.of("departmentId", department, "url", "https://alerts.example/abused",
                    "eventKinds", List.of("BUDGET_WARNING")))
            .getBody()
            .at("/webhook/id")
            .asString();
        WholeFactory.IssuedKey revoked = factory.key(department, List.of("inference"));
        admin.post("/api/keys/" + revoked.id() + "/revoke", Map.of());
        revokedKey = revoked.secret();
        WholeFactory.IssuedKey expired = factory.key(department, List.of("inference"));
        admin.put("/api/keys/" + expired.id() + "/expiry", Map.of());
        expiredKey = expired.secret();
        agent = admin
            .post("/api/agents",
                    Map.of("name", "target-" + suffix, "departmentId", department, "model", "byte-lm-moby",
                            "instructions", "Stay put.", "trigger", Map.of("kind", "MANUAL")))
            .getBody()
            .get("id")
            .asString();
    }

    /**
     * Every endpoint the suite serves is in {@link RoutedEndpoints}, and each refuses a
     * caller without a key (401), every key lacking its scopes (403), another
     * department's key where the data is a department's (403 or 404), and forged identity
     * tokens sent straight to its service (401) — and nothing changes.
     */
    @Test
    void everyRoutedEndpointIsInTheTableAndRefusesWhoMayNotCallIt() throws Exception {
        Set<String> served = new java.util.TreeSet<>();
        served.addAll(servletEndpoints("inference", factory.inference));
        served.addAll(servletEndpoints("metering", factory.metering));
        served.addAll(servletEndpoints("agents", factory.agents));
        served.addAll(servletEndpoints("billing", factory.billing));
        served.addAll(gatewayEndpoints());
        assertThat(served).as("endpoints the controllers serve, against the table in RoutedEndpoints")
            .containsExactlyInAnyOrderElementsOf(RoutedEndpoints.keys());

        Map<String, Long> before = snapshot();
        Map<String, Integer> refusals = new java.util.TreeMap<>();
        for (RoutedEndpoints.Endpoint endpoint : RoutedEndpoints.ALL) {
            if (endpoint.scopes() == RoutedEndpoints.PUBLIC) {
                continue;
            }
            String method = endpoint.method().equals("*") ? "GET" : endpoint.method();
            String path = concrete(endpoint.gatewayPath());
            String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
            expectRefusal(method, path, body, null, Map.of(), Set.of(401));
            refusals.merge("no key → 401", 1, Integer::sum);
            for (Map.Entry<String, String> probe : KEY_OF_SCOPE.entrySet()) {
                if (!endpoint.scopes().isEmpty() && !endpoint.scopes().contains(probe.getKey())) {
                    expectRefusal(method, path, body, probe.getValue(), Map.of(), Set.of(403));
                    refusals.merge("a key without its scope → 403", 1, Integer::sum);
                }
            }
            if (endpoint.departmentScoped()) {
                expectRefusal(method, path + crossDepartmentQuery(endpoint), crossDepartmentBody(endpoint, method),
                        otherDepartmentKey, Map.of(), Set.of(403, 404));
                refusals.merge("another department's key → 403/404", 1, Integer::sum);
            }
        }
        int forged = forgedIdentityTokensOnRealPaths();
        refusals.put("forged identity tokens straight to a service → 401", forged);

        System.out
            .println("Abuse suite, endpoints × probes: " + RoutedEndpoints.ALL.size() + " endpoints, " + refusals);
        assertThat(failures).as("requests answered wrongly").isEmpty();
        assertThat(snapshot()).as("rows in the services' databases").isEqualTo(before);
    }

    @Test
    void everyHostileRequestIsRefusedCleanlyAndChangesNothing() throws Exception {
        Map<String, Long> before = snapshot();

        hostileBodies();
        hostileIdentifiersAndFilters();
        hostileCredentials();

        System.out.println("Abuse suite: " + tried + " hostile requests, " + (tried - failures.size())
                + " refused as they should be");
        assertThat(tried).as("hostile requests sent").isGreaterThan(200);
        assertThat(failures).as("requests answered wrongly").isEmpty();
        assertThat(snapshot()).as("rows in the services' databases").isEqualTo(before);
    }

    private void hostileBodies() throws Exception {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("POST /api/billing/departments", adminKey);
        endpoints.put("PUT /api/billing/departments/" + department, adminKey);
        endpoints.put("POST /api/keys", adminKey);
        endpoints.put("POST /api/agents", adminKey);
        endpoints.put("PUT /api/agents/" + agent, adminKey);
        endpoints.put("POST /api/agents/tools", adminKey);
        endpoints.put("POST /api/billing/models", adminKey);
        endpoints.put("POST /api/billing/rate-cards", adminKey);
        endpoints.put("POST /api/billing/energy-tariffs", adminKey);
        endpoints.put("POST /api/billing/capacity-rates", adminKey);
        endpoints.put("PUT /api/billing/nodes/abuse-node", adminKey);
        endpoints.put("POST /v1/chat/completions", departmentKey);
        endpoints.put("POST /v1/completions", departmentKey);
        endpoints.put("POST /v1/embeddings", departmentKey);
        List<String> bodies = List.of("{\"name\": \"trunc", "{name: unquoted}", "[]", "\"just a string\"",
                "{\"name\": 5, \"model\": [], \"monthlyBudget\": \"lots\", \"messages\": \"hi\", \"scopes\": \"admin\","
                        + " \"trigger\": 7, \"task\": {}, \"input\": 42, \"departmentId\": 3, \"pricePerKwh\": true}",
                "{\"name\": \"n\", \"costCentreCode\": \"CC-1\", \"monthlyBudget\": 1e400, \"max_tokens\": 99999999999999999999999,"
                        + " \"model\": \"byte-lm-moby\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                        + " \"trigger\": {\"kind\": \"LOOP\", \"intervalSeconds\": 1e30}, \"effectiveFrom\": \"2999-01-01T00:00:00Z\","
                        + " \"pricePerKwh\": 1e400, \"input\": \"x\", \"instructions\": \"i\"}",
                "{\"name\": \"n\", \"costCentreCode\": \"CC-1\", \"monthlyBudget\": -1, \"max_tokens\": -5, \"model\": \"byte-lm-moby\","
                        + " \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"promptPerMillion\": \"-1\", \"pricePerKwh\": \"-0.1\","
                        + " \"trigger\": {\"kind\": \"LOOP\", \"intervalSeconds\": 0}, \"input\": [], \"instructions\": \"i\","
                        + " \"effectiveFrom\": \"2999-01-01T00:00:00Z\", \"costPerAcceleratorHour\": \"-3\", \"nodeClass\": \"\"}",
                "{\"name\": \"a\\u0000b\", \"costCentreCode\": \"CC-\\u0000\", \"model\": \"\\ud800\", \"instructions\": \"\\u202e\\u0000\","
                        + " \"messages\": [{\"role\": \"\\u0000\", \"content\": \"x\"}], \"input\": \"\\udfff\", \"task\": \"GENERATION\\u0000\","
                        + " \"trigger\": {\"kind\": \"MANUAL\\u0000\"}, \"nodeClass\": \"\\u0000\"}",
                "{\"name\": \"x\", \"departmentId\": \"1' OR '1'='1\", \"model\": \"../../etc/passwd\", \"scopes\": [\"admin' --\"],"
                        + " \"costCentreCode\": \"'; DROP TABLE department;--\", \"trigger\": {\"kind\": \"DROP TABLE agent\"},"
                        + " \"task\": \"'; DELETE FROM priced_model;--\", \"messages\": [{\"role\": \"user; DROP\", \"content\": \"x\"}],"
                        + " \"nodeClass\": \"../../x\", \"effectiveFrom\": \"' OR 1=1\", \"input\": \"x\"}",
                "");
        for (Map.Entry<String, String> endpoint : endpoints.entrySet()) {
            String[] methodAndPath = endpoint.getKey().split(" ", 2);
            for (String body : bodies) {
                expectRefusal(methodAndPath[0], methodAndPath[1], body, endpoint.getValue(), Map.of(),
                        Set.of(400, 404, 409, 413, 415, 422));
            }
        }
        // a body larger than the gateway takes
        expectRefusal("POST", "/api/agents", "{\"name\": \"" + "x".repeat(5 * 1024 * 1024) + "\"}", adminKey, Map.of(),
                Set.of(413));
        expectRefusal(
                "POST", "/v1/chat/completions", "{\"model\": \"byte-lm-moby\", \"messages\": [{\"role\": \"user\","
                        + " \"content\": \"" + "x".repeat(5 * 1024 * 1024) + "\"}]}",
                departmentKey, Map.of(), Set.of(413));
    }

    private void hostileIdentifiersAndFilters() throws Exception {
        String injection = encode("' OR '1'='1");
        String traversal = "..%2F..%2F..%2Fetc%2Fpasswd";
        List<String> badPaths = List.of("/api/agents/" + injection, "/api/agents/" + traversal,
                "/api/agents/" + agent + "/runs/" + injection, "/api/agents/" + agent + "/runs?limit=1e9",
                "/api/agents/" + agent + "/runs?status=" + injection, "/api/agents?department=" + injection,
                "/api/keys/" + injection, "/api/billing/departments/" + injection,
                "/api/billing/departments/" + UUID.randomUUID(),
                "/api/billing/statements/" + encode("1;DROP TABLE statement"),
                "/api/billing/statements?period=" + injection, "/api/billing/statements?department=" + traversal,
                "/api/billing/cost-per-token?from=yesterday&to=today",
                "/api/billing/cost-per-token?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&groupBy="
                        + encode("model;DROP"),
                "/api/billing/agent-runs/" + injection, "/api/billing/periods/" + encode("2026-13") + "/journal",
                "/api/metering/usage?department=" + injection, "/api/metering/usage?from=" + injection,
                "/api/metering/usage?granularity=" + injection, "/api/metering/usage?groupBy=" + encode("model,1;--"),
                "/api/metering/efficiency?groupBy=" + traversal, "/api/metering/usage?format=" + encode("../../etc"),
                "/api/metering/usage?energySource=" + injection, "/api/metering/efficiency?energySource=" + traversal,
                "/api/metering/reconciliation?from=" + injection,
                "/api/billing/usage-summary?from=" + injection + "&to=x",
                "/api/billing/cost-per-token?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&groupBy="
                        + encode("energySource;--"),
                "/api/inference/usage-summary?from=" + traversal + "&to=x", "/v1/models/" + traversal);
        for (String path : badPaths) {
            expectRefusal("GET", path, null, adminKey, Map.of(), Set.of(400, 404));
        }
        // an injection string as a filter value is just a value: no rows, no error
        expectAnswer("GET", "/api/metering/usage?granularity=total&groupBy=model&model=" + injection, adminKey, 200);
        expectRefusal("POST", "/api/billing/periods/" + encode("2026-13") + "/close", "", adminKey, Map.of(),
                Set.of(400, 422));
        expectRefusal("POST", "/api/billing/periods/" + traversal + "/close", "", adminKey, Map.of(), Set.of(400, 404));
        expectRefusal("POST", "/api/agents/" + injection + "/activate", "", adminKey, Map.of(), Set.of(400));
        expectRefusal("POST", "/api/keys/" + UUID.randomUUID() + "/revoke", "", adminKey, Map.of(), Set.of(404));
    }

    private void hostileCredentials() throws Exception {
        Map<String, String> none = Map.of();
        for (String path : List.of("/v1/models", "/api/agents", "/api/billing/departments/" + department + "/spend",
                "/api/metering/usage?granularity=total")) {
            expectRefusal("GET", path, null, null, none, Set.of(401));
            expectRefusal("GET", path, null, "tf_" + "A".repeat(60), none, Set.of(401));
            expectRefusal("GET", path, null, revokedKey, none, Set.of(401, 403));
            expectRefusal("GET", path, null, expiredKey, none, Set.of(401, 403));
            expectRefusal("GET", path, null, null, Map.of("Authorization", "Basic " + "YWRtaW46YWRtaW4="), Set.of(401));
            expectRefusal("GET", path, null, null, Map.of("Authorization", "Bearer "), Set.of(401));
            expectRefusal("GET", path, null, TestTokens.admin(), none, Set.of(401));
        }
        // a department key beyond its department, whatever identity headers it adds
        Map<String, String> spoofed = Map.of("X-TF-Department-Id", otherDepartment.toString(), "X-Department-Id",
                otherDepartment.toString(), "X-Agent-Id", agent, "X-Api-Key", adminKey);
        expectRefusal("GET", "/api/billing/departments/" + otherDepartment + "/spend", null, departmentKey, spoofed,
                Set.of(403));
        expectRefusal("GET", "/api/metering/usage?granularity=total&department=" + otherDepartment, null, departmentKey,
                spoofed, Set.of(403));
        expectRefusal("GET", "/api/keys", null, departmentKey, spoofed, Set.of(403));
        expectRefusal("POST", "/api/billing/periods/2026-01/close", "", departmentKey, spoofed, Set.of(403));
        expectRefusal("GET", "/v1/models", null, "tf_" + "B".repeat(16_000), none, Set.of(400, 401, 431));
        // an h2c upgrade offer is answered over HTTP/1.1 at once (passed on to a service,
        // it once hung the request)
        for (String path : List.of("/api/billing/departments/" + otherDepartment + "/spend", "/api/metering/usage",
                "/api/agents")) {
            String head = rawHead(path, "Authorization: Bearer " + departmentKey
                    + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\nContent-Length: 0\r\n");
            if (!head.startsWith("HTTP/1.1 ")) {
                failures.add("GET " + path + " with an h2c upgrade offer → " + (head.isEmpty() ? "no answer" : head));
            }
        }
    }

    /**
     * The status line of a hand-written request (what no HTTP client library would send
     * as it is).
     */
    private static String rawHead(String path, String headers) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", factory.gatewayPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int read = socket.getInputStream().read(head);
            return read <= 0 ? "" : new String(head, 0, read, StandardCharsets.US_ASCII);
        }
        catch (java.io.IOException timedOut) {
            return "";
        }
    }

    /**
     * The services' own endpoints, from their handler mappings ({@code /error} and
     * springdoc's description aside: {@code /v3/api-docs}, public, never routed, merged
     * into the gateway's {@code /api/openapi.json}).
     */
    private static Set<String> servletEndpoints(String service, RunningService running) {
        Set<String> endpoints = new java.util.TreeSet<>();
        running
            .bean("requestMappingHandlerMapping",
                    org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping.class)
            .getHandlerMethods()
            .entrySet()
            .stream()
            .filter(handler -> !handler.getValue().getBeanType().getPackageName().startsWith("org.springdoc"))
            .map(java.util.Map.Entry::getKey)
            .forEach(info -> info.getPatternValues()
                .stream()
                .filter(path -> !path.equals("/error"))
                .forEach(path -> RoutedEndpoints.methods(info.getMethodsCondition().getMethods())
                    .forEach(method -> endpoints.add(service + " " + method + " " + path))));
        return endpoints;
    }

    private static Set<String> gatewayEndpoints() {
        Set<String> endpoints = new java.util.TreeSet<>();
        factory.gateway
            .bean("requestMappingHandlerMapping",
                    org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping.class)
            .getHandlerMethods()
            .entrySet()
            .stream()
            // springdoc's: the gateway's own description and Swagger UI's configuration
            .filter(handler -> !handler.getValue().getBeanType().getPackageName().startsWith("org.springdoc"))
            .map(java.util.Map.Entry::getKey)
            .forEach(info -> info.getPatternsCondition()
                .getPatterns()
                .forEach(pattern -> RoutedEndpoints.methods(info.getMethodsCondition().getMethods())
                    .forEach(method -> endpoints.add("gateway " + method + " " + pattern.getPatternString()))));
        return endpoints;
    }

    /** A real path for a pattern: the abused department's agent, webhook, key. */
    private static String concrete(String pattern) {
        String path = pattern;
        if (path.startsWith("/api/agents/{id}")) {
            path = path.replace("{id}", agent);
        }
        else if (path.startsWith("/api/billing/departments/{id}")) {
            path = path.replace("{id}", department.toString());
        }
        else if (path.startsWith("/api/billing/webhooks/{id}")) {
            path = path.replace("{id}", webhook);
        }
        return path.replace("{agentId}", agent)
            .replace("{id}", UUID.randomUUID().toString())
            .replace("{runId}", UUID.randomUUID().toString())
            .replace("{requestId}", UUID.randomUUID().toString())
            .replace("{scope}", "node")
            .replace("{name}", "nothing")
            .replace("{node}", "abuse-node")
            .replace("{period}", "2026-01")
            .replace("{service}", "agent-service");
    }

    /** Lists narrowed by a parameter: asked for the abused department. */
    private static String crossDepartmentQuery(RoutedEndpoints.Endpoint endpoint) {
        return switch (endpoint.gatewayPath()) {
            case "/api/billing/cost-per-token" ->
                "?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&department=" + department;
            case "/api/metering/usage", "/api/metering/efficiency", "/api/agents", "/api/billing/statements",
                    "/api/billing/webhooks" ->
                "?department=" + department;
            case "/api/gateway/budgets" -> "?departmentId=" + department;
            case "/api/billing/focus" -> "?period=2026-01&department=" + department;
            default -> "";
        };
    }

    /**
     * A body that passes validation, so the refusal is the department's, not the body's.
     */
    private static String crossDepartmentBody(RoutedEndpoints.Endpoint endpoint, String method) {
        if (method.equals("GET") || method.equals("DELETE")) {
            return null;
        }
        return switch (endpoint.gatewayPath()) {
            case "/api/agents", "/api/agents/{id}" -> "{\"name\":\"hijack\",\"departmentId\":\"" + department
                    + "\",\"model\":\"byte-lm-moby\",\"instructions\":\"x\",\"trigger\":{\"kind\":\"MANUAL\"}}";
            case "/api/billing/webhooks", "/api/billing/webhooks/{id}" -> "{\"departmentId\":\"" + department
                    + "\",\"url\":\"https://hijack.example/\",\"eventKinds\":[\"BUDGET_OK\"]}";
            default -> "{}";
        };
    }

    /**
     * Forged, tampered, unsigned and foreign identity tokens sent straight to a real
     * endpoint of every service (a 404 would not prove the service's security held).
     */
    private int forgedIdentityTokensOnRealPaths() throws Exception {
        int sent = 0;
        Map<RunningService, List<String>> realPaths = new LinkedHashMap<>();
        realPaths.put(factory.billing, List.of("/api/billing/departments/" + department, "/api/billing/models"));
        realPaths.put(factory.metering, List.of("/api/metering/usage?granularity=total", "/api/dead-letters"));
        realPaths.put(factory.agents, List.of("/api/agents", "/api/agents/" + agent));
        realPaths.put(factory.inference, List.of("/v1/models", "/api/inference/nodes"));
        for (Map.Entry<RunningService, List<String>> service : realPaths.entrySet()) {
            for (String token : hostileTokens()) {
                for (String path : service.getValue()) {
                    send("GET", "http://localhost:" + service.getKey().port() + path, null,
                            Map.of("Authorization", "Bearer " + token), Set.of(401));
                    sent++;
                }
            }
        }
        return sent;
    }

    private static List<String> hostileTokens() {
        String genuine = factory.gateway.bean(IdentityTokens.class)
            .forKey(UUID.randomUUID(), department, null, Set.of("inference", "usage:read"));
        String[] parts = genuine.split("\\.");
        String otherClaims = java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(department.toString(), otherDepartment.toString())
                .replace("usage:read", "admin")
                .getBytes(StandardCharsets.UTF_8));
        return List.of(parts[0] + "." + otherClaims + "." + parts[2], parts[0] + "." + parts[1] + ".",
                TestTokens.forged(), TestTokens.admin(), "not.a.jwt");
    }

    private void expectRefusal(String method, String path, String body, String key, Map<String, String> headers,
            Set<Integer> allowed) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (key != null) {
            all.put("Authorization", "Bearer " + key);
        }
        send(method, "http://localhost:" + factory.gatewayPort + path, body, all, allowed);
    }

    private void expectAnswer(String method, String path, String key, int status) throws Exception {
        send(method, "http://localhost:" + factory.gatewayPort + path, null, Map.of("Authorization", "Bearer " + key),
                Set.of(status));
    }

    private void send(String method, String url, String body, Map<String, String> headers, Set<Integer> allowed)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        tried++;
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (java.io.IOException refusedConnection) {
            // a server may close the connection on an oversized request; that is a
            // refusal too, not a crash
            if (!allowed.contains(413) && !allowed.contains(431)) {
                failures.add(method + " " + url + ": connection failed: " + refusedConnection);
            }
            return;
        }
        String what = method + " " + shorten(url) + (body == null ? "" : " with " + shorten(body));
        if (!allowed.contains(response.statusCode())) {
            failures
                .add(what + " → " + response.statusCode() + " (expected " + allowed + "): " + shorten(response.body()));
            return;
        }
        // 431 comes from the HTTP codec itself, before any handler could write a problem
        // detail
        if (response.statusCode() >= 400 && response.statusCode() != 431) {
            JsonNode problem;
            try {
                problem = JSON.readTree(response.body());
            }
            catch (RuntimeException notJson) {
                failures
                    .add(what + " → " + response.statusCode() + " without a problem body: " + shorten(response.body()));
                return;
            }
            boolean readable = (problem.has("status") && problem.has("detail")) || problem.path("error").has("message");
            if (!readable) {
                failures.add(what + " → " + response.statusCode() + " body is no problem detail: "
                        + shorten(response.body()));
            }
        }
        if (response.body().contains("Exception") || response.body().contains("\tat ")) {
            failures.add(what + " → a stack trace or exception name leaked: " + shorten(response.body()));
        }
    }

    /** Rows of every table a refused request might have written. */
    private static Map<String, Long> snapshot() {
        Map<String, Long> rows = new LinkedHashMap<>();
        count(rows, factory.gateway, "api_key");
        count(rows, factory.gateway, "audit_record");
        for (String table : List.of("department", "priced_model", "rate_card", "energy_tariff", "capacity_rate",
                "node_class", "statement", "usage_charge")) {
            count(rows, factory.billing, table);
        }
        for (String table : List.of("agent", "agent_version", "agent_run", "http_tool", "agent_memory")) {
            count(rows, factory.agents, table);
        }
        rows.put("inference_request of the abused department",
                new JdbcTemplate(factory.inference.bean(DataSource.class)).queryForObject(
                        "SELECT count(*) FROM inference_request WHERE department_id = ?", Long.class, department));
        return rows;
    }

    private static void count(Map<String, Long> rows, RunningService service, String table) {
        rows.put(table, new JdbcTemplate(service.bean(DataSource.class)).queryForObject("SELECT count(*) FROM " + table,
                Long.class));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String shorten(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "…";
    }

}
