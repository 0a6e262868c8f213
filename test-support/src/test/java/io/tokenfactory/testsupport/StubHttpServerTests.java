package io.tokenfactory.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.tokenfactory.testsupport.StubHttpServer.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StubHttpServerTests {

    final HttpClient client = HttpClient.newHttpClient();

    final StubHttpServer stub = new StubHttpServer();

    @AfterEach
    void stop() {
        stub.close();
    }

    @Test
    void answersFromTheFirstMatchingRouteAndRecordsEveryRequest() throws Exception {
        stub.route("POST", "/items/special", request -> Response.json(201, "{\"special\":true}"))
            .route("/items", request -> Response.of(200, request.method() + " " + request.query()))
            .route("/moved", request -> Response.of(302).header("Location", "http://example.org/"));

        HttpResponse<String> special = client.send(HttpRequest.newBuilder(URI.create(stub.url() + "/items/special"))
            .header("X-Trace", "t-1")
            .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> fallback = get("/items/special?page=2");
        HttpResponse<String> moved = get("/moved");
        HttpResponse<String> unknown = get("/nowhere");

        assertThat(special.statusCode()).isEqualTo(201);
        assertThat(special.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(fallback.body()).isEqualTo("GET page=2");
        assertThat(moved.statusCode()).isEqualTo(302);
        assertThat(moved.headers().firstValue("Location")).contains("http://example.org/");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(stub.requests()).extracting(StubHttpServer.Request::path)
            .containsExactly("/items/special", "/items/special", "/moved", "/nowhere");
        StubHttpServer.Request first = stub.requests().get(0);
        assertThat(first.header("x-TRACE")).isEqualTo("t-1");
        assertThat(first.headers()).containsKey("x-trace");
        assertThat(first.body()).isEqualTo("{\"a\":1}");
    }

    @Test
    void sendsEachEventBeforeTheNextIsWritten() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        stub.route("/events", request -> Response.eventStream(events -> {
            events.data("1");
            release.join();
            events.data("[DONE]");
        }));

        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(URI.create(stub.url() + "/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
            // the second event is held back, so the first can only have come through on
            // its own
            assertThat(lines.readLine()).isEqualTo("data: 1");
            release.complete(null);
            assertThat(lines.lines().filter(line -> !line.isEmpty())).containsExactly("data: [DONE]");
        }
    }

    @Test
    void dropsTheConnectionMidStreamWhenTheEventSourceSaysSo() throws Exception {
        stub.route("/events", request -> Response.eventStream(events -> {
            events.data("1");
            throw new StubHttpServer.DroppedConnection();
        }));

        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(URI.create(stub.url() + "/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("data: 1");
            // a stream cut short, not one that ended: reading on fails
            assertThatThrownBy(() -> lines.lines().count()).isInstanceOf(UncheckedIOException.class);
        }
    }

    @Test
    void answersAFailingRouteWith500() throws Exception {
        stub.route("/", request -> {
            throw new IllegalStateException("broken on purpose");
        });

        HttpResponse<String> response = get("/");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("broken on purpose");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(stub.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
