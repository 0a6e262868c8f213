import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The benchmark's stand-in for inference-service and billing-service: answers after the delay in ?delay=MS.
 * Run it with -Dsun.net.httpserver.nodelay=true, or the JDK server adds ~40 ms to every response.
 *
 *   java -Dsun.net.httpserver.nodelay=true bench/UpstreamStub.java PORT
 */
public class UpstreamStub {

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        server.setExecutor(Executors.newFixedThreadPool(400));
        server.createContext("/api/billing/departments/", exchange -> answer(exchange, "{\"id\":\"bench\"}"));
        server.createContext("/v1/chat/completions", exchange -> answer(exchange,
                "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":16,\"total_tokens\":28}}"));
        server.createContext("/v1/models", exchange -> answer(exchange,
                "{\"object\":\"list\",\"data\":[{\"id\":\"tf-tiny\",\"object\":\"model\",\"owned_by\":\"token-factory\"}]}"));
        server.start();
        System.out.println("upstream stub on " + port);
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String query = exchange.getRequestURI().getQuery();
        if (query != null && query.startsWith("delay=")) {
            try {
                Thread.sleep(Long.parseLong(query.substring("delay=".length())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
