package io.tokenfactory.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A service at the edge of a test, on a random port of the loopback address: the one stub
 * every test builds on instead of a hand-written server of its own. Routes, tried in the
 * order they were added, match a method (or any) and a path prefix and answer with a
 * status, headers and a body, or with server-sent events flushed one at a time; a request
 * no route matches gets 404. Every request is recorded before it is answered, for
 * assertions.
 *
 * <p>
 * It runs on the JDK's own server: no dependency, a real socket and real HTTP/1.1
 * (keep-alive, chunked streams), and a thread per request, so a route may block (to hold
 * an answer back) without stalling the others.
 */
public final class StubHttpServer implements AutoCloseable {

    static {
        // stubs answer in small writes; with Nagle's algorithm a client could wait ~40 ms
        // for each of them
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Enough for a test that fires a burst of concurrent calls at the stub. */
    private static final int BACKLOG = 256;

    /**
     * A request as the stub received it: the path and query as sent, header names
     * lower-cased.
     */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {

        /** The first value of a header, or null; the name in any case. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * What a route answers: a whole body, or (where {@code events} is set) a stream of
     * server-sent events.
     */
    public record Response(int status, Map<String, String> headers, String body, EventSource events) {

        /** No body at all. */
        public static Response of(int status) {
            return of(status, "");
        }

        /** A body without a content type, as a bare server would send it. */
        public static Response of(int status, String body) {
            return new Response(status, Map.of(), body, null);
        }

        public static Response json(int status, String json) {
            return of(status, json).header("Content-Type", "application/json");
        }

        /**
         * 200 with {@code text/event-stream}; each event leaves the moment the source
         * sends it.
         */
        public static Response eventStream(EventSource events) {
            return new Response(200, Map.of("Content-Type", "text/event-stream"), "", events);
        }

        public Response header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Response(status, Map.copyOf(more), body, events);
        }
    }

    /**
     * Answers one request; may block, and may throw (the client then gets 500 with the
     * exception's text).
     */
    @FunctionalInterface
    public interface Handler {

        Response handle(Request request) throws Exception;

    }

    /**
     * Writes a response's events, blocking between them where a test wants to hold the
     * rest back.
     */
    @FunctionalInterface
    public interface EventSource {

        void send(Events events) throws Exception;

    }

    /** The open event stream of one response. */
    @FunctionalInterface
    public interface Events {

        /**
         * Sends {@code data: <data>} and a blank line, and flushes them to the client.
         */
        void data(String data) throws IOException;

    }

    /**
     * Thrown by an {@link EventSource} to drop the connection in the middle of a stream,
     * as an upstream that dies does: the stream never gets its last chunk, so the client
     * sees a broken response, not one that ended early.
     */
    public static final class DroppedConnection extends IOException {

        public DroppedConnection() {
            super("the stub dropped the connection on purpose", null);
        }

    }

    private record Route(String method, String pathPrefix, Handler handler) {

        boolean matches(Request request) {
            return (method == null || method.equalsIgnoreCase(request.method()))
                    && request.path().startsWith(pathPrefix);
        }
    }

    private final List<Route> routes = new CopyOnWriteArrayList<>();

    private final List<Request> received = new CopyOnWriteArrayList<>();

    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "stub-http");
        thread.setDaemon(true); // shared stubs are never closed; they must not keep the
                                // test JVM alive
        return thread;
    });

    private final HttpServer server;

    public StubHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::exchange);
        server.start();
    }

    /** Answers requests with this method (any case) whose path starts with the prefix. */
    public StubHttpServer route(String method, String pathPrefix, Handler handler) {
        routes.add(new Route(method, pathPrefix, handler));
        return this;
    }

    /** Answers requests of any method whose path starts with the prefix. */
    public StubHttpServer route(String pathPrefix, Handler handler) {
        return route(null, pathPrefix, handler);
    }

    /** {@code http://localhost:<port>}, without a trailing slash. */
    public String url() {
        return "http://localhost:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Every request received so far, oldest first. */
    public List<Request> requests() {
        return List.copyOf(received);
    }

    private void exchange(HttpExchange exchange) throws IOException {
        boolean dropped = false;
        try {
            Request request = request(exchange);
            received.add(request);
            send(exchange, answer(request));
        }
        catch (DroppedConnection e) {
            // not closed here: the JDK's server closes the connection of a handler that
            // throws, without ending the stream
            dropped = true;
            throw e;
        }
        finally {
            if (!dropped) {
                exchange.close();
            }
        }
    }

    private Response answer(Request request) {
        Route route = routes.stream().filter(candidate -> candidate.matches(request)).findFirst().orElse(null);
        if (route == null) {
            return Response.of(404);
        }
        try {
            return route.handler().handle(request);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.of(500, "stub interrupted");
        }
        catch (Exception e) {
            return Response.of(500, "stub failed: " + e);
        }
    }

    private static Request request(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders()
            .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        URI uri = exchange.getRequestURI();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        return new Request(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), Map.copyOf(headers), body);
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        response.headers().forEach(exchange.getResponseHeaders()::add);
        if (response.events() == null) {
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        exchange.sendResponseHeaders(response.status(), 0); // length unknown: chunked,
                                                            // one chunk per flush
        OutputStream out = exchange.getResponseBody();
        boolean dropped = false;
        try {
            response.events().send(data -> {
                out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            });
        }
        catch (DroppedConnection e) {
            dropped = true;
            throw e;
        }
        catch (IOException e) {
            throw e;
        }
        catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // the status is already out; ending the stream early is all that is left to
            // tell the client
            throw new IOException("event source failed", e);
        }
        finally {
            if (!dropped) {
                out.close();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

}
