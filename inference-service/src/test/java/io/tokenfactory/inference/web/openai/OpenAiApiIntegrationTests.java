package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.inference.generation.GenerationEngines;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestInfrastructure;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible API on the shipped local models, over real HTTP, PostgreSQL and
 * the broker.
 */
@ServiceIntegrationTest
class OpenAiApiIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String GENERATION = "byte-lm-moby";

    private static final String EMBEDDING = "all-minilm-l6-v2";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    GenerationEngines engines;

    @Autowired
    Environment environment;

    private final UUID department = UUID.randomUUID();

    private HttpTestClient http() {
        return HttpTestClient.onPort(port).withToken(TestTokens.department(department, "inference"));
    }

    @Test
    void listsTheConfiguredModelsWithTheirContext() {
        ResponseEntity<JsonNode> models = http().get("/v1/models");

        assertThat(models.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(models.getBody().get("object").asString()).isEqualTo("list");
        assertThat(models.getBody().get("data").findValuesAsString("id")).contains(GENERATION, EMBEDDING);
        assertThat(http().get("/v1/models/" + GENERATION).getBody().get("context_length").asInt()).isEqualTo(256);
        assertThat(http().get("/v1/models/nope").getBody().at("/error/code").asString()).isEqualTo("model_not_found");
    }

    @Test
    void chatCompletionReturnsGeneratedWordsWithUsageAndRecordsTheRequest() {
        ResponseEntity<JsonNode> response = http().post("/v1/chat/completions",
                Map.of("model", GENERATION, "messages",
                        List.of(Map.of("role", "user", "content", "Tell me of the white whale.")), "max_tokens", 60,
                        "temperature", 0.7, "seed", 3));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode body = response.getBody();
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        String text = body.at("/choices/0/message/content").asString();
        assertThat(text).isNotBlank();
        assertThat(text.split("[^A-Za-z]+")).as("words, not noise: %s", text)
            .filteredOn(word -> word.length() >= 3)
            .hasSizeGreaterThanOrEqualTo(3);
        assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("length");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo("Tell me of the white whale.\n\n".length());
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(60);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(body.at("/usage/prompt_tokens").asInt() + 60);

        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM inference_request WHERE request_id = ?",
                body.get("id").asString());
        assertThat(row.get("department_id")).isEqualTo(department);
        assertThat(row.get("outcome")).isEqualTo("COMPLETED");
        assertThat(((Number) row.get("completion_tokens")).intValue()).isEqualTo(60);
        // its energy follows once the node's metering window it ended in is settled
        Map<String, Object> settled = settledRow(body.get("id").asString());
        assertThat(((Number) settled.get("energy_joules")).doubleValue()).isPositive();
        assertThat(((Number) settled.get("accelerator_seconds")).doubleValue()).isPositive();
        assertThat(settled.get("energy_source")).isEqualTo("ESTIMATED");
        assertThat(settled.get("node")).isEqualTo("local");
    }

    @Test
    void anAgentsRequestCarriesItsRunIdIntoTheUsageRecord() {
        UUID agent = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        Map<String, Object> request = Map.of("model", GENERATION, "max_tokens", 4, "messages",
                List.of(Map.of("role", "user", "content", "Status?")));
        HttpTestClient agentKey = HttpTestClient.onPort(port)
            .withToken(TestTokens.token(department, agent, "inference"));

        JsonNode answered = agentKey
            .postWithHeaders("/v1/chat/completions", request, Map.of("X-Agent-Run-Id", run.toString()))
            .getBody();
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM inference_request WHERE request_id = ?",
                answered.get("id").asString());
        assertThat(row.get("agent_id")).isEqualTo(agent);
        assertThat(row.get("agent_run_id")).isEqualTo(run);

        // a key bound to no agent cannot claim a run; a malformed run id is a client
        // error
        JsonNode personal = http()
            .postWithHeaders("/v1/chat/completions", request, Map.of("X-Agent-Run-Id", run.toString()))
            .getBody();
        assertThat(
                jdbc.queryForMap("SELECT * FROM inference_request WHERE request_id = ?", personal.get("id").asString())
                    .get("agent_run_id"))
            .isNull();
        assertError(agentKey.postWithHeaders("/v1/chat/completions", request, Map.of("X-Agent-Run-Id", "run-7")),
                HttpStatus.BAD_REQUEST, "invalid_value");
    }

    @Test
    void sameSeedSameText() {
        Map<String, Object> request = Map.of("model", GENERATION, "prompt", "The ship", "max_tokens", 30, "seed", 42,
                "temperature", 1.0);
        String first = http().post("/v1/completions", request).getBody().at("/choices/0/text").asString();
        String second = http().post("/v1/completions", request).getBody().at("/choices/0/text").asString();
        assertThat(first).isNotEmpty().isEqualTo(second);
    }

    @Test
    void streamsChunksThenUsageThenDone() {
        ResponseEntity<String> response = http().postForText("/v1/chat/completions",
                Map.of("model", GENERATION, "messages", List.of(Map.of("role", "user", "content", "Call me Ishmael.")),
                        "max_tokens", 40, "stream", true, "stream_options", Map.of("include_usage", true)));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(response.getHeaders().getContentType().toString()).startsWith("text/event-stream");
        List<String> events = dataLines(response.getBody());
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(JSON::readTree).toList();
        assertThat(chunks.get(0).at("/choices/0/delta/role").asString()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.at("/choices/0/delta/content").asString("")));
        assertThat(text).isNotEmpty();
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.get("choices")).isEmpty();
        assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(40);
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asString()).isEqualTo("length");
        assertThat(chunks.size()).isGreaterThan(10);
    }

    @Test
    void aStreamWithoutIncludeUsageCarriesNoUsage() {
        ResponseEntity<String> response = http().postForText("/v1/completions",
                Map.of("model", GENERATION, "prompt", "Whales", "max_tokens", 10, "stream", true));
        List<String> events = dataLines(response.getBody());
        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(events).noneMatch(event -> event.contains("\"usage\""));
    }

    @Test
    void aClientThatLeavesMidStreamIsCancelledAndItsTokensRecorded() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = JSON
            .writeValueAsString(Map.of("model", GENERATION, "prompt", "The sea", "max_tokens", 240, "stream", true));
        HttpResponse<InputStream> response = client
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/completions"))
                .header("Authorization", "Bearer " + TestTokens.department(department, "inference"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        String id;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String first = reader.readLine();
            assertThat(response.statusCode()).as("first line %s", first).isEqualTo(200);
            id = JSON.readTree(first.substring(5)).get("id").asString();
            reader.readLine();
            reader.readLine();
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<Map<String, Object>> rows = jdbc
                .queryForList("SELECT outcome, completion_tokens FROM inference_request WHERE request_id = ?", id);
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).get("outcome")).isEqualTo("CANCELLED");
            assertThat(((Number) rows.get(0).get("completion_tokens")).intValue()).isBetween(1, 239);
        });
    }

    @Test
    void embeddingsAreUnitVectorsThatPlaceSimilarTextsCloser() {
        ResponseEntity<JsonNode> response = http().post("/v1/embeddings",
                Map.of("model", EMBEDDING, "input", List.of("The whale swam in the ocean.",
                        "A large whale was swimming in the sea.", "Quarterly revenue grew by four percent.")));

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode data = response.getBody().get("data");
        assertThat(data).hasSize(3);
        float[][] vectors = new float[3][];
        for (int i = 0; i < 3; i++) {
            assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
            JsonNode embedding = data.get(i).get("embedding");
            assertThat(embedding).hasSize(384);
            vectors[i] = new float[384];
            for (int d = 0; d < 384; d++) {
                vectors[i][d] = (float) embedding.get(d).asDouble();
            }
            assertThat(dot(vectors[i], vectors[i])).isCloseTo(1.0, within(1e-4));
        }
        assertThat(dot(vectors[0], vectors[1])).isGreaterThan(dot(vectors[0], vectors[2]) + 0.3);
        assertThat(response.getBody().at("/usage/prompt_tokens").asInt()).isGreaterThan(15);
    }

    @Test
    void base64EmbeddingsDecodeToTheSameFloats() {
        JsonNode floats = http().post("/v1/embeddings", Map.of("model", EMBEDDING, "input", "Ahab")).getBody();
        JsonNode base64 = http()
            .post("/v1/embeddings", Map.of("model", EMBEDDING, "input", "Ahab", "encoding_format", "base64"))
            .getBody();

        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64.at("/data/0/embedding").asString()))
            .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(384 * 4);
        for (int d = 0; d < 384; d++) {
            assertThat((double) bytes.getFloat()).isCloseTo(floats.at("/data/0/embedding/" + d).asDouble(),
                    within(1e-6));
        }
    }

    @Test
    void badRequestsGetOpenAiErrorsAndLeaveNothingBehind() {
        Integer before = requestRows();
        String longPrompt = "x".repeat(300);

        assertError(
                http().post("/v1/chat/completions",
                        Map.of("model", "gpt-imaginary", "messages", List.of(Map.of("role", "user", "content", "hi")))),
                HttpStatus.NOT_FOUND, "model_not_found");
        assertError(http().postRaw("/v1/chat/completions", "{\"model\": \"byte-lm-moby\", \"messages\": [ "),
                HttpStatus.BAD_REQUEST, "invalid_json");
        assertError(
                http().post("/v1/chat/completions",
                        Map.of("model", GENERATION, "messages",
                                List.of(Map.of("role", "user", "content", longPrompt)))),
                HttpStatus.BAD_REQUEST, "context_length_exceeded");
        assertError(http().post("/v1/completions", Map.of("model", GENERATION, "prompt", "hello", "max_tokens", 252)),
                HttpStatus.BAD_REQUEST, "context_length_exceeded");
        assertError(http().post("/v1/completions", Map.of("model", GENERATION, "prompt", "hello", "max_tokens", 5000)),
                HttpStatus.BAD_REQUEST, "invalid_value");
        assertError(http().post("/v1/completions", Map.of("model", GENERATION, "prompt", "hello", "max_tokens", "ten")),
                HttpStatus.BAD_REQUEST, "invalid_value");
        assertError(http().post("/v1/completions", Map.of("model", GENERATION, "prompt", "hello", "temperature", 3)),
                HttpStatus.BAD_REQUEST, "invalid_value");
        assertError(
                http().post("/v1/chat/completions",
                        Map.of("model", GENERATION, "messages", List.of(Map.of("role", "wizard", "content", "hi")))),
                HttpStatus.BAD_REQUEST, "invalid_value");
        assertError(http().post("/v1/embeddings", Map.of("model", EMBEDDING, "input", List.of())),
                HttpStatus.BAD_REQUEST, "invalid_value");
        assertError(http().post("/v1/embeddings", Map.of("model", GENERATION, "input", "hi")), HttpStatus.BAD_REQUEST,
                "model_not_supported");
        assertError(
                http().postRaw("/v1/completions",
                        "{\"model\":\"byte-lm-moby\",\"prompt\":\"" + "y".repeat(1_100_000) + "\"}"),
                HttpStatus.CONTENT_TOO_LARGE, "request_too_large");

        assertError(http().post("/v1/completions", Map.of("model", GENERATION, "prompt", "hello", "user", 42)),
                HttpStatus.BAD_REQUEST, "invalid_value");
        assertError(http().post("/v1/embeddings", Map.of("model", EMBEDDING, "input", "hi", "user", "u".repeat(257))),
                HttpStatus.BAD_REQUEST, "invalid_value");

        assertThat(requestRows()).isEqualTo(before);
    }

    @Test
    void theEndUserTheClientNamesIsRecordedAndPublishedWithTheUsage() {
        ResponseEntity<JsonNode> chat = http().post("/v1/chat/completions", Map.of("model", GENERATION, "messages",
                List.of(Map.of("role", "user", "content", "Call me Ishmael.")), "max_tokens", 5, "user", "ishmael-7"));
        ResponseEntity<JsonNode> embedding = http().post("/v1/embeddings",
                Map.of("model", EMBEDDING, "input", "a whale", "user", "starbuck"));
        ResponseEntity<JsonNode> anonymous = http().post("/v1/completions",
                Map.of("model", GENERATION, "prompt", "hello", "max_tokens", 3));

        assertThat(chat.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(settledRow(chat.getBody().get("id").asString()).get("end_user")).isEqualTo("ishmael-7");
        assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(settledRow(anonymous.getBody().get("id").asString()).get("end_user")).isNull();
        assertThat(embedding.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(jdbc.queryForList("SELECT end_user FROM inference_request WHERE department_id = ? AND model = ?",
                String.class, department, EMBEDDING))
            .contains("starbuck");
    }

    @Test
    void anAdministratorKeyWithoutADepartmentCannotRunInference() {
        ResponseEntity<JsonNode> response = HttpTestClient.onPort(port)
            .withToken(TestTokens.token(null, null, "inference admin"))
            .post("/v1/completions", Map.of("model", GENERATION, "prompt", "hello"));
        assertError(response, HttpStatus.FORBIDDEN, "department_required");
    }

    @Test
    void requestEnergyPlusIdleEnergyIsWhatTheMeterMeasuredInEveryWindowAndIsPublished() {
        // requests of other tests must not draw energy inside these windows: the engines
        // idle, and the metering
        // window in which the last of them ended (the test configuration's
        // TF_ENERGY_INTERVAL, 200 ms) over
        await().atMost(Duration.ofSeconds(30)).until(engines::idle);
        long interval = Long.parseLong(environment.getProperty("TF_ENERGY_INTERVAL", "200ms").replace("ms", ""));
        Instant from = Instant.ofEpochMilli((System.currentTimeMillis() / interval + 1) * interval);
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(from));
        List<String> ids = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread client = new Thread(() -> {
                JsonNode body = http()
                    .post("/v1/completions", Map.of("model", GENERATION, "prompt", "Moby Dick", "max_tokens", 80))
                    .getBody();
                synchronized (ids) {
                    ids.add(body.get("id").asString());
                }
            });
            client.start();
            clients.add(client);
        }
        clients.forEach(OpenAiApiIntegrationTests::join);
        await().atMost(Duration.ofSeconds(10)).until(() -> ids.size() == 4);
        ids.forEach(this::settledRow);
        Instant to = Instant.now();

        // the windows the requests ran in: their measured energy is the requests' joules
        // plus idle (none: busy)
        String inIds = String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
        double requests = jdbc.queryForObject(
                "SELECT sum(energy_joules) FROM inference_request WHERE request_id IN (" + inIds + ")", Double.class);
        double busyWindows = jdbc.queryForObject("""
                SELECT sum(energy_joules) FROM node_window WHERE node = 'local' AND requests > 0
                    AND window_start >= ? AND window_start < ?""", Double.class, java.sql.Timestamp.from(from),
                java.sql.Timestamp.from(to));
        assertThat(requests).isPositive();
        assertThat(requests).isCloseTo(busyWindows, within(busyWindows * 0.005));

        // the meter owner publishes the settled windows: one power_window row and its
        // power-sampled event
        Map<String, Object> window = await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForList(
                    "SELECT * FROM power_window WHERE node = 'local' AND window_end >= ? ORDER BY window_end DESC LIMIT 1",
                    java.sql.Timestamp.from(to)), rows -> !rows.isEmpty())
            .get(0);
        double published = jdbc.queryForObject(
                """
                        SELECT sum(energy_joules) FROM power_window WHERE node = 'local' AND window_end > ? AND window_start < ?""",
                Double.class, java.sql.Timestamp.from(from), window.get("window_end"));
        double settled = jdbc.queryForObject("""
                SELECT sum(w.energy_joules) FROM node_window w WHERE w.node = 'local' AND w.window_start >= (
                    SELECT min(window_start) FROM power_window WHERE node = 'local' AND window_end > ?)
                    AND w.window_start < ?""", Double.class, java.sql.Timestamp.from(from), window.get("window_end"));
        assertThat(published).isCloseTo(settled, within(1e-6));
        assertThat(window.get("energy_source")).isEqualTo("ESTIMATED");
        Message sampled = awaitMessage(TestInfrastructure.prefixed("tokenfactory.power-sampled.metering-service"),
                window.get("event_id").toString());
        assertThat(sampled.getMessageProperties().getHeaders()).containsEntry("cloudEvents:type",
                "tokenfactory.power-sampled.v1");
    }

    private Map<String, Object> settledRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10))
            .until(() -> jdbc.queryForMap("SELECT * FROM inference_request WHERE request_id = ?", requestId),
                    row -> row.get("energy_settled_at") != null);
    }

    private Message awaitMessage(String queue, String eventId) {
        List<Message> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Message message = rabbit.receive(queue, 200);
            if (message != null) {
                seen.add(message);
            }
            return seen.stream()
                .anyMatch(m -> eventId.equals(m.getMessageProperties().getHeaders().get("cloudEvents:id")));
        });
        return seen.stream()
            .filter(m -> eventId.equals(m.getMessageProperties().getHeaders().get("cloudEvents:id")))
            .findFirst()
            .orElseThrow();
    }

    private Integer requestRows() {
        return jdbc.queryForObject("SELECT count(*) FROM inference_request", Integer.class);
    }

    private static void assertError(ResponseEntity<JsonNode> response, HttpStatus status, String code) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getBody().at("/error/code").asString()).isEqualTo(code);
        assertThat(response.getBody().at("/error/message").asString()).isNotBlank();
        assertThat(response.getBody().at("/error/type").asString()).isNotBlank();
    }

    static List<String> dataLines(String sse) {
        return sse.lines().filter(line -> line.startsWith("data: ")).map(line -> line.substring(6)).toList();
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void join(Thread thread) {
        try {
            thread.join(30_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
