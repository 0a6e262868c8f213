package io.tokenfactory.inference.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Write-ahead usage on the real service: a streamed token leaves only once it is durable,
 * and a dead replica's requests are closed as {@code INTERRUPTED} with the tokens their
 * clients had been sent, their usage published like any other.
 */
@ServiceIntegrationTest
class WriteAheadUsageIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    UsageRecording recording;

    private final UUID department = UUID.randomUUID();

    @Test
    void everyStreamedChunkIsDurableBeforeTheClientReadsIt() throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", "byte-lm-moby", "prompt", "The sea", "max_tokens", 120,
                "stream", true, "stream_options", Map.of("include_usage", true, "continuous_usage_stats", true)));
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/completions"))
                .header("Authorization", "Bearer " + TestTokens.department(department, "inference"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        String id = null;
        long received = 0;
        int checked = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                    continue;
                }
                JsonNode chunk = JSON.readTree(line.substring(6));
                id = chunk.get("id").asString();
                if (chunk.path("choices").isEmpty()) {
                    continue; // the closing usage-only chunk
                }
                long sent = chunk.at("/usage/completion_tokens").asLong();
                assertThat(sent).as("continuous usage: the count never goes back").isGreaterThanOrEqualTo(received);
                received = sent;
                // what the client holds is in the request log already: in flight, or
                // logged once the request ended
                assertThat(durableCompletionTokens(id)).as("durable when chunk %d arrived", checked)
                    .isGreaterThanOrEqualTo(received);
                checked++;
            }
        }
        assertThat(received).isEqualTo(120);
        assertThat(checked).isGreaterThan(10);
        assertThat(jdbc.queryForObject("SELECT completion_tokens FROM inference_request WHERE request_id = ?",
                Long.class, id))
            .isEqualTo(120);
        assertThat(
                jdbc.queryForObject("SELECT count(*) FROM request_in_flight WHERE request_id = ?", Integer.class, id))
            .as("logged, so no longer in flight")
            .isZero();
    }

    @Test
    void aDeadReplicasRequestsAreClosedAsInterruptedWithTheTokensTheirClientsWereSentAndPublished() {
        UUID deadReplica = UUID.randomUUID();
        Instant started = Instant.now().minusSeconds(120);
        jdbc.update("INSERT INTO inference_replica (replica_id, started_at, heartbeat_at) VALUES (?, ?, ?)",
                deadReplica, Timestamp.from(started), Timestamp.from(started.plusSeconds(30)));
        String streaming = inFlight(deadReplica, 11, 37, started);
        String waiting = inFlight(deadReplica, 5, 0, started);
        // a replica that is gone without a trace (its row forgotten) orphans its requests
        // too
        String ofForgotten = inFlight(UUID.randomUUID(), 3, 2, started);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<Map<String, Object>> rows = jdbc.queryForList(
                    """
                            SELECT request_id, outcome, prompt_tokens, completion_tokens, energy_source, energy_settled_at,
                                usage_event_id FROM inference_request WHERE request_id IN (?, ?, ?) ORDER BY prompt_tokens DESC""",
                    streaming, waiting, ofForgotten);
            assertThat(rows).extracting(row -> row.get("request_id")).containsExactly(streaming, waiting, ofForgotten);
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.get("outcome")).isEqualTo("INTERRUPTED");
                assertThat(row.get("energy_source")).isEqualTo("NONE");
                assertThat(row.get("energy_settled_at")).isNotNull();
            });
            assertThat(rows).extracting(row -> ((Number) row.get("completion_tokens")).longValue())
                .containsExactly(37L, 0L, 2L);
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM request_in_flight WHERE request_id IN (?, ?, ?)",
                Integer.class, streaming, waiting, ofForgotten))
            .isZero();
        // their usage events went to the outbox with them, and on to the broker
        UUID eventId = jdbc.queryForObject("SELECT usage_event_id FROM inference_request WHERE request_id = ?",
                UUID.class, streaming);
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM event_publication_archive WHERE serialized_event LIKE ?", Integer.class,
                    "%" + eventId + "%INTERRUPTED%") == 1);
        // with the cost tags of the key that made them
        assertThat(
                jdbc.queryForObject("SELECT tags FROM inference_request WHERE request_id = ?", String.class, streaming))
            .isEqualTo("{\"team\":\"search\"}");
        assertThat(jdbc.queryForObject(
                "SELECT serialized_event FROM event_publication_archive WHERE serialized_event LIKE ?", String.class,
                "%" + eventId + "%"))
            .contains("\"tags\":{\"team\":\"search\"}");
    }

    @Test
    void whatTheGatewayCountedTheClientReceivedBoundsWhatACutStreamIsBilled() {
        UUID replica = UUID.randomUUID();
        Instant started = Instant.now().minusSeconds(120);
        jdbc.update("INSERT INTO inference_replica (replica_id, started_at, heartbeat_at) VALUES (?, ?, now())",
                replica, Timestamp.from(started));
        String cut = inFlight(replica, 6, 29, started);
        HttpTestClient gateway = HttpTestClient.onPort(port).asAdmin();
        String path = "/api/inference/requests/" + cut + "/received";

        assertThat(gateway.post(path, Map.of("completionTokens", 26)).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(gateway.post(path, Map.of("completionTokens", 24)).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(gateway.post(path, Map.of("completionTokens", 27)).getStatusCode()).as("the lowest count told wins")
            .isEqualTo(HttpStatus.NO_CONTENT);
        assertThat(gateway.post(path, Map.of("completionTokens", -1)).getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(gateway.post("/api/inference/requests/cmpl-unknown/received", Map.of("completionTokens", 3))
            .getBody()
            .get("code")
            .asString()).isEqualTo("request_not_in_flight");
        assertThat(HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "inference"))
            .post(path, Map.of("completionTokens", 0))
            .getStatusCode()).as("a department key may not say what a client received").isEqualTo(HttpStatus.FORBIDDEN);
        // then the replica dies
        jdbc.update("UPDATE inference_replica SET heartbeat_at = ? WHERE replica_id = ?", Timestamp.from(started),
                replica);

        await().atMost(Duration.ofSeconds(20))
            .ignoreException(org.springframework.dao.EmptyResultDataAccessException.class)
            .untilAsserted(() -> assertThat(jdbc.queryForMap(
                    "SELECT outcome, prompt_tokens, completion_tokens FROM inference_request WHERE request_id = ?",
                    cut))
                .containsEntry("outcome", "INTERRUPTED")
                .containsEntry("prompt_tokens", 6L)
                .containsEntry("completion_tokens", 24L));
    }

    @Test
    void aRequestWhoseLogCouldNotBeWrittenIsClosedFromItsRowInFlightForWhatItsClientWasSent() {
        UUID self = UUID.randomUUID();
        jdbc.update("INSERT INTO inference_replica (replica_id, started_at, heartbeat_at) VALUES (?, now(), now())",
                self);
        String unlogged = inFlight(self, 8, 21, Instant.now().minusSeconds(5));

        assertThat(recording.closeUnlogged(UUID.randomUUID(), unlogged)).as("only by its own replica").isZero();
        assertThat(recording.closeUnlogged(self, unlogged)).isEqualTo(1);
        assertThat(recording.closeUnlogged(self, unlogged)).as("once").isZero();

        assertThat(jdbc.queryForMap(
                "SELECT outcome, prompt_tokens, completion_tokens FROM inference_request WHERE request_id = ?",
                unlogged))
            .containsEntry("outcome", "INTERRUPTED")
            .containsEntry("prompt_tokens", 8L)
            .containsEntry("completion_tokens", 21L);
    }

    @Test
    void aLiveReplicasRequestsAreNeverClosedHoweverLongTheyRun() {
        UUID liveReplica = UUID.randomUUID();
        Instant longAgo = Instant.now().minusSeconds(3_600);
        jdbc.update("INSERT INTO inference_replica (replica_id, started_at, heartbeat_at) VALUES (?, ?, now())",
                liveReplica, Timestamp.from(longAgo));
        String longRunning = inFlight(liveReplica, 7, 3, longAgo);

        recording.closeOrphans(UUID.randomUUID(), Instant.now().minusSeconds(30), 100);
        // nor by itself, even when its own heartbeat looks old (it was cut off a while)
        recording.closeOrphans(liveReplica, Instant.now().plusSeconds(30), 100);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM request_in_flight WHERE request_id = ?", Integer.class,
                longRunning))
            .isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM inference_request WHERE request_id = ?", Integer.class,
                longRunning))
            .isZero();
        jdbc.update("DELETE FROM request_in_flight WHERE request_id = ?", longRunning);
    }

    private long durableCompletionTokens(String requestId) {
        Long inFlight = jdbc.query("SELECT completion_tokens_sent FROM request_in_flight WHERE request_id = ?",
                rows -> rows.next() ? rows.getLong(1) : null, requestId);
        if (inFlight != null) {
            return inFlight;
        }
        return jdbc.queryForObject("SELECT completion_tokens FROM inference_request WHERE request_id = ?", Long.class,
                requestId);
    }

    private String inFlight(UUID replica, long promptTokens, long sent, Instant started) {
        String requestId = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        jdbc.update("""
                INSERT INTO request_in_flight (request_id, replica_id, department_id, model, backend, node, device,
                    prompt_tokens, completion_tokens_sent, tokens_estimated, started_at, time_to_first_token_ms,
                    progress_at, tags)
                VALUES (?, ?, ?, 'byte-lm-moby', 'djl', 'local', 'cpu', ?, ?, false, ?, 40, ?, '{"team":"search"}')""",
                requestId, replica, department, promptTokens, sent, Timestamp.from(started),
                Timestamp.from(started.plusSeconds(2)));
        return requestId;
    }

}
