package io.tokenfactory.gateway.relayed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.StubUpstream;
import io.tokenfactory.gateway.identity.IdentityTokens;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway counts the tokens of what it relayed to the client, chunk by chunk as they
 * go out: from the response's usage where one went out, else by the content chunks (one
 * token each) — for a stream the upstream broke, and for one the client left — and its
 * summary answers with them once they are flushed.
 */
class RelayedUsageIntegrationTests extends GatewayIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String SUMMARY = "/api/gateway/relayed-usage";

    @Autowired
    IdentityTokens identityTokens;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Clock clock;

    @Autowired
    GatewayProperties gatewayProperties;

    @Test
    void countsTheUsageOfWholeAndStreamedResponsesPerDepartmentAndModel() throws IOException {
        UUID department = UUID.randomUUID();
        String key = departmentKey(department, "inference").secret();

        ResponseEntity<JsonNode> whole = http().withToken(key)
            .post("/v1/chat/completions", Map.of("model", "whole", "messages", List.of(), "max_tokens", 5));
        int streamed;
        try (StreamingClient client = new StreamingClient(key,
                tokenStream(7, Map.of("stream_options", Map.of("include_usage", true))))) {
            streamed = client.readToTheEnd();
        }

        assertThat(whole.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(streamed).isEqualTo(7);
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(rows(department)).containsExactly(
                    row(department, StubUpstream.TOKEN_STREAM, 1, StubUpstream.PROMPT_TOKENS, streamed, 0),
                    row(department, "whole", 1, StubUpstream.PROMPT_TOKENS, 5, 0)));
    }

    @Test
    void countsTheChunksAClientReceivedFromAStreamTheUpstreamBroke() throws IOException {
        UUID plain = UUID.randomUUID();
        UUID continuous = UUID.randomUUID();
        String cutStream = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");

        int plainReceived;
        try (StreamingClient client = new StreamingClient(departmentKey(plain, "inference").secret(),
                tokenStream(20, Map.of("stream_options", Map.of("include_usage", true), "drop_after", 6)))) {
            plainReceived = client.readToTheEnd();
        }
        // a stream whose every chunk carries the usage so far: its prompt is known too
        int continuousReceived;
        try (StreamingClient client = new StreamingClient(departmentKey(continuous, "inference").secret(),
                tokenStream(20, Map.of("continuous_usage", true, "drop_after", 4, "stream_id", cutStream)))) {
            continuousReceived = client.readToTheEnd();
        }

        assertThat(plainReceived).isEqualTo(6);
        assertThat(continuousReceived).isEqualTo(4);
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(rows(plain))
                .containsExactly(row(plain, StubUpstream.TOKEN_STREAM, 1, 0, plainReceived, 1)));
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(rows(continuous)).containsExactly(
                    row(continuous, StubUpstream.TOKEN_STREAM, 1, StubUpstream.PROMPT_TOKENS, continuousReceived, 0)));
        // the stream whose chunks carried the usage is told to inference, with the exact
        // count, under the gateway's own identity; the chunk-counted one is not
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(upstream.received("/api/inference/requests/" + cutStream + "/received"))
                .singleElement()
                .satisfies(report -> {
                    assertThat(report.method()).isEqualTo("POST");
                    assertThat(report.body()).isEqualTo("{\"completionTokens\":4}");
                    assertThat(report.header("Authorization")).startsWith("Bearer ");
                }));
    }

    @Test
    void countsOnlyTheChunksAClientReceivedBeforeItLeft() throws IOException {
        UUID department = UUID.randomUUID();
        upstream.release = new CompletableFuture<>();
        try {
            int received;
            try (StreamingClient client = new StreamingClient(departmentKey(department, "inference").secret(),
                    tokenStream(20, Map.of("stream_options", Map.of("include_usage", true), "hold_after", 5)))) {
                received = client.readContentChunks(5);
                client.leave();
            }

            assertThat(received).isEqualTo(5);
            // counted when the gateway saw the client go, before the upstream sent
            // anything more
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(rows(department))
                    .containsExactly(row(department, StubUpstream.TOKEN_STREAM, 1, 0, received, 1)));
        }
        finally {
            upstream.release.complete(null);
        }
    }

    @Test
    void aGracefulStopWritesWhatWasCountedSinceTheLastFlushAfterTheWebServerHasStopped() {
        UUID department = UUID.randomUUID();
        // a flush interval no test waits for: only the stop can write it
        RelayedTokens tokens = new RelayedTokens(jdbc, clock, new SimpleMeterRegistry(),
                properties(Duration.ofHours(1)), null);
        UsageTap tap = new UsageTap(new MockServerHttpResponse());
        tap.writeWith(Flux.just(DefaultDataBufferFactory.sharedInstance
            .wrap("{\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":9}}".getBytes(StandardCharsets.UTF_8))))
            .block();
        tokens.start();
        tokens.record(department, "stopped", tap);
        assertThat(rows(department)).isEmpty();

        tokens.stop();

        assertThat(rows(department)).containsExactly(row(department, "stopped", 1, 4, 9, 0));
        // stopped once the web server has let the responses in flight finish
        assertThat(tokens.getPhase()).isLessThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
    }

    @Test
    void theSummaryAnswersAdministratorsAndServicesWithAnAdministratorsIdentityToken() {
        UUID department = UUID.randomUUID();
        String window = window();

        ResponseEntity<JsonNode> byKey = http().withToken(adminKey().secret()).get(SUMMARY + window);
        ResponseEntity<JsonNode> byService = http().withToken(identityTokens.forGateway()).get(SUMMARY + window);
        ResponseEntity<JsonNode> byReader = http()
            .withToken(identityTokens.forKey(UUID.randomUUID(), department, null, Set.of("usage:read", "inference")))
            .get(SUMMARY + window);
        ResponseEntity<JsonNode> byDepartmentKey = http()
            .withToken(departmentKey(department, "inference", "usage:read").secret())
            .get(SUMMARY + window);
        ResponseEntity<JsonNode> forged = http().withToken("eyJhbGciOiJFUzI1NiJ9.e30.c2ln").get(SUMMARY + window);
        // an identity token opens the summary only, never the front door
        ResponseEntity<JsonNode> elsewhere = http().withToken(identityTokens.forGateway()).get("/api/keys");

        assertThat(byKey.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(byKey.getBody().has("completionTokens")).isTrue();
        assertThat(byService.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(byReader.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(byDepartmentKey.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(forged.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(elsewhere.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void refusesAWindowOfPartHoursOrBackwards() {
        HttpTestClient admin = http().withToken(adminKey().secret());

        ResponseEntity<JsonNode> partHour = admin.get(SUMMARY + "?from=2026-11-27T10:30:00Z&to=2026-11-27T12:00:00Z");
        ResponseEntity<JsonNode> backwards = admin.get(SUMMARY + "?from=2026-11-27T12:00:00Z&to=2026-11-27T10:00:00Z");
        ResponseEntity<JsonNode> missing = admin.get(SUMMARY + "?from=2026-11-27T12:00:00Z");

        assertThat(partHour.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(partHour.getBody().get("code").asString()).isEqualTo("invalid_parameter");
        assertThat(partHour.getBody().get("detail").asString()).contains("from must be a whole hour");
        assertThat(backwards.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    private GatewayProperties properties(Duration flushInterval) {
        GatewayProperties p = gatewayProperties;
        return new GatewayProperties(p.upstreams(), p.connectTimeout(), p.responseTimeout(),
                p.inferenceResponseTimeout(), p.streamIdleTimeout(), p.apiKeys(), p.identity(), p.limits(),
                p.consoleOrigins(), p.processedEventRetention(), p.consumers(),
                new GatewayProperties.RelayedUsage(flushInterval), p.budgets(), p.sso());
    }

    /** One row of the summary. */
    private record Row(UUID department, String model, long requests, long promptTokens, long completionTokens,
            long chunkCountedRequests) {
    }

    private List<Row> rows(UUID department) {
        ResponseEntity<JsonNode> summary = http().withToken(identityTokens.forGateway()).get(SUMMARY + window());
        assertThat(summary.getStatusCode()).isEqualTo(HttpStatus.OK);
        return Arrays.stream(JSON.treeToValue(summary.getBody().get("rows"), Row[].class))
            .filter(row -> row.department().equals(department))
            .toList();
    }

    private static Row row(UUID department, String model, long requests, long prompt, long completion,
            long chunkCounted) {
        return new Row(department, model, requests, prompt, completion, chunkCounted);
    }

    /** The hours around now, so a test that runs over an hour's turn finds its tokens. */
    private static String window() {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        return "?from=" + hour.minus(1, ChronoUnit.HOURS) + "&to=" + hour.plus(2, ChronoUnit.HOURS);
    }

    private static String tokenStream(int tokens, Map<String, Object> options) {
        Map<String, Object> body = new LinkedHashMap<>(options);
        body.put("model", StubUpstream.TOKEN_STREAM);
        body.put("messages", List.of());
        body.put("max_tokens", tokens);
        body.put("stream", true);
        return JSON.writeValueAsString(body);
    }

    /**
     * A client on a socket of its own that reads a streamed completion event by event
     * (HTTP/1.1 chunks decoded), counts the content chunks it received, and can leave in
     * the middle (a reset, as a killed client's kernel sends).
     */
    private final class StreamingClient implements AutoCloseable {

        private final Socket socket;

        private final InputStream in;

        private final StringBuilder text = new StringBuilder();

        private int contentChunks;

        StreamingClient(String key, String body) throws IOException {
            socket = new Socket("localhost", gatewayPort);
            socket.setSoTimeout(10_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            in = new BufferedInputStream(socket.getInputStream());
            String status = line();
            assertThat(status).startsWith("HTTP/1.1 200");
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                chunked |= header.equalsIgnoreCase("transfer-encoding: chunked");
            }
            assertThat(chunked).as("a streamed response").isTrue();
        }

        /** Reads until the stream ends or breaks; the content chunks received. */
        int readToTheEnd() {
            try {
                while (nextChunk()) {
                    // each chunk read is counted as it comes
                }
            }
            catch (IOException broken) {
                // the stream broke: what came before it is what the client received
            }
            return contentChunks;
        }

        /** Reads until this many content chunks have arrived (or the stream ended). */
        int readContentChunks(int wanted) throws IOException {
            while (contentChunks < wanted && nextChunk()) {
                // counted as they come
            }
            return contentChunks;
        }

        void leave() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** One HTTP chunk: its events counted; false at the last chunk. */
        private boolean nextChunk() throws IOException {
            String size = line();
            int length = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (length == 0) {
                return false;
            }
            text.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
            line();
            int end;
            while ((end = text.indexOf("\n\n")) >= 0) {
                String event = text.substring(0, end);
                text.delete(0, end + 2);
                if (event.startsWith("data: ") && event.contains("\"content\":\"")) {
                    contentChunks++;
                }
            }
            return true;
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("the connection ended");
                }
                line.write(b);
            }
            String read = line.toString(StandardCharsets.US_ASCII);
            return read.endsWith("\r") ? read.substring(0, read.length() - 1) : read;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

    }

}
