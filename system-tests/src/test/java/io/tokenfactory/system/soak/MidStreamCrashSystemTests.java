package io.tokenfactory.system.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.tokenfactory.system.soak.SoakSuite.Service;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * inference-service dies, or is stopped, while a client reads a stream through the
 * gateway: the client's own count of what it received, chunk by chunk (continuous usage
 * stats), is what metering counts and billing charges, to the token.
 */
class MidStreamCrashSystemTests {

    // the local model's context is 256 tokens, the chat prompt's bytes included
    private static final int MAX_TOKENS = 180;

    private static SoakSuite suite;

    private static String key;

    @BeforeAll
    static void startTheFactory() {
        suite = new SoakSuite(Path.of("..").toAbsolutePath().normalize(),
                Path.of("target", "mid-stream-crash").toAbsolutePath(), Map.of());
        // a dead replica's requests are closed soon, so the test need not wait long
        suite.environment("TF_INFERENCE_ORPHAN_AFTER", "6s");
        suite.environment("TF_INFERENCE_HEARTBEAT", "1s");
        suite.start(Duration.ofMinutes(5));
        Api admin = new Api(suite.gatewayUrl(), suite.adminKey());
        Soak.seedPrices(admin, "0.50", "1.50");
        String department = admin
            .call("POST", "/api/billing/departments", Map.of("name", "Crash department", "costCentreCode", "CC-CRASH",
                    "monthlyBudget", "1000000", "softAlertPercent", 80), 201)
            .get("id")
            .asString();
        key = admin
            .call("POST", "/api/keys",
                    Map.of("name", "crash client", "departmentId", department, "scopes", List.of("inference")), 201)
            .get("secret")
            .asString();
    }

    @AfterAll
    static void stopTheFactory() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void killedMidStreamTheTokensTheClientReceivedAreBilledExactly() throws Exception {
        Received received = streamWhile(() -> suite.restart(Service.INFERENCE, true, Duration.ofMinutes(3)));

        assertThat(received.done()).as("the stream was cut").isFalse();
        assertThat(received.completionTokens()).isBetween(3L, MAX_TOKENS - 1L);
        awaitBilled(received, "INTERRUPTED");
    }

    @Test
    void stoppedMidStreamTheStreamEndsProperlyAndIsBilledWhole() throws Exception {
        Received received = streamWhile(() -> suite.restart(Service.INFERENCE, false, Duration.ofMinutes(3)));

        assertThat(received.done()).as("the graceful shutdown let the stream finish").isTrue();
        assertThat(received.completionTokens()).isEqualTo(MAX_TOKENS);
        awaitBilled(received, "COMPLETED");
    }

    /**
     * What the client counted: the last usage it was sent, and whether [DONE] came; or
     * why it got no stream.
     */
    private record Received(String requestId, long promptTokens, long completionTokens, boolean done, String refused) {
    }

    /**
     * Streams a long completion through the gateway and runs {@code fault} once the
     * client has read a few chunks; returns what the client received.
     */
    private static Received streamWhile(Runnable fault) throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Received> client = CompletableFuture.supplyAsync(() -> read(reading));
        boolean started = reading.await(60, TimeUnit.SECONDS);
        assertThat(client.isDone() ? client.get().refused() : null).as("the stream was refused").isNull();
        assertThat(started).as("the stream started").isTrue();
        fault.run();
        return client.get(3, TimeUnit.MINUTES);
    }

    private static Received read(CountDownLatch reading) {
        String body = Api.JSON.writeValueAsString(Map.of("model", Soak.MODEL, "messages",
                List.of(Map.of("role", "user", "content", "Whales?")), "max_tokens", MAX_TOKENS, "stream", true,
                "stream_options", Map.of("include_usage", true, "continuous_usage_stats", true)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(suite.gatewayUrl() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        String id = null;
        long prompt = 0;
        long completion = 0;
        int chunks = 0;
        boolean done = false;
        try {
            HttpResponse<InputStream> response = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                try (InputStream error = response.body()) {
                    return new Received(null, 0, 0, false,
                            response.statusCode() + " " + new String(error.readAllBytes(), StandardCharsets.UTF_8));
                }
                finally {
                    reading.countDown();
                }
            }
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    String data = line.substring(5).trim();
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = Api.JSON.readTree(data);
                    if (chunk.has("error")) {
                        break;
                    }
                    id = chunk.path("id").asString(id);
                    if (chunk.hasNonNull("usage")) {
                        prompt = chunk.at("/usage/prompt_tokens").asLong();
                        completion = chunk.at("/usage/completion_tokens").asLong();
                    }
                    if (++chunks == 6) {
                        reading.countDown();
                    }
                }
            }
        }
        catch (IOException e) {
            // the connection broke: what was read so far is what the client received
        }
        catch (RuntimeException e) {
            reading.countDown();
            return new Received(id, prompt, completion, done, e.toString());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reading.countDown();
        return new Received(id, prompt, completion, done, null);
    }

    private static String meteringRow(String requestId) throws java.sql.SQLException {
        try (var connection = suite.connect(Service.METERING);
                var statement = connection.prepareStatement(
                        "SELECT event_id, outcome, prompt_tokens, completion_tokens FROM usage_record WHERE request_id = ?")) {
            statement.setString(1, requestId);
            try (var row = statement.executeQuery()) {
                return row.next()
                        ? row.getString(1) + " " + row.getString(2) + " " + row.getLong(3) + " + " + row.getLong(4)
                        : "none";
            }
        }
    }

    /**
     * Metering holds the request once, with what the client counted, and billing charged
     * exactly that.
     */
    private static void awaitBilled(Received received, String outcome) {
        Awaitility.await(received.requestId() + " metered and billed")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .untilAsserted(() -> {
                String metered = meteringRow(received.requestId());
                assertThat(metered).as("metering's record of what the client counted")
                    .endsWith(" " + outcome + " " + received.promptTokens() + " + " + received.completionTokens());
                String eventId = metered.substring(0, metered.indexOf(' '));
                assertThat(suite.count(Service.BILLING,
                        "SELECT count(*) FROM usage_charge WHERE usage_event_id = '" + eventId
                                + "' AND prompt_tokens = " + received.promptTokens() + " AND completion_tokens = "
                                + received.completionTokens()))
                    .isEqualTo(1);
            });
    }

}
