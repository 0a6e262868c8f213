package io.tokenfactory.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the four services behind the gateway (a true edge for these tests): it echoes what it received,
 * knows a set of departments, can be slow on purpose, and streams server-sent events one chunk at a time.
 */
public final class StubUpstream implements AutoCloseable {

    public final Set<UUID> knownDepartments = ConcurrentHashMap.newKeySet();
    /** Headers of the last request per path, lower-cased names. */
    public final Map<String, Map<String, String>> lastHeaders = new ConcurrentHashMap<>();
    /** Released by a test to let the slow endpoint and the second SSE chunk go. */
    public volatile CountDownLatch release = new CountDownLatch(1);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public StubUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.setExecutor(executor);
        server.createContext("/api/billing/departments/", this::department);
        server.createContext("/api/billing/", exchange -> echo(exchange, 200));
        server.createContext("/api/metering/slow", exchange -> {
            await();
            echo(exchange, 200);
        });
        server.createContext("/api/metering/", exchange -> echo(exchange, 200));
        server.createContext("/v1/stream", this::stream);
        server.createContext("/v1/", exchange -> echo(exchange, 200));
        server.start();
    }

    public String url() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    private void department(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/api/billing/departments/".length());
        boolean known = knownDepartments.stream().anyMatch(department -> department.toString().equals(id));
        echo(exchange, known ? 200 : 404);
    }

    private void echo(HttpExchange exchange, int status) throws IOException {
        Map<String, String> headers = exchange.getRequestHeaders().entrySet().stream()
                .collect(Collectors.toMap(entry -> entry.getKey().toLowerCase(), entry -> String.join(",", entry.getValue()),
                        (a, b) -> a));
        lastHeaders.put(exchange.getRequestURI().getPath(), headers);
        exchange.getRequestBody().readAllBytes();
        byte[] body = ("{\"served\":\"" + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** First event at once, the second only after the test released it: proves nothing buffers the stream. */
    private void stream(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write("data: {\"chunk\":1}\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        await();
        out.write("data: {\"chunk\":2}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        exchange.close();
    }

    private void await() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
