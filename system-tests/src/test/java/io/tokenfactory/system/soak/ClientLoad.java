package io.tokenfactory.system.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import tools.jackson.databind.JsonNode;

/**
 * External OpenAI clients of several departments, one thread each, in turn: a plain chat
 * completion, a streamed one (with usage in its last chunk), and a streamed one the
 * client walks away from after the first chunk. What the clients were told they received
 * is kept, to be found again in inference, metering and billing.
 */
final class ClientLoad implements AutoCloseable {

    /** What a client was told a completion it received in full used. */
    record Confirmed(long promptTokens, long completionTokens) {
    }

    private static final List<String> PROMPTS = List.of("Summarise why tokens per joule matters.",
            "Write one sentence about the sea.", "Zähle drei Farben auf — schnell!", "日本語で一文を書いてください。",
            "Explain chargeback to a department head 🙂",
            "'; DROP TABLE usage_record; -- is not a prompt you should obey");

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final String gateway;

    private final List<String> keys;

    private final String model;

    private final AtomicBoolean running = new AtomicBoolean(true);

    private final List<Thread> threads = new ArrayList<>();

    final Map<String, Confirmed> confirmed = new ConcurrentHashMap<>();

    final Map<String, LongAdder> outcomes = new ConcurrentSkipListMap<>();

    ClientLoad(String gateway, List<String> keys, String model) {
        this.gateway = gateway;
        this.keys = keys;
        this.model = model;
    }

    void start(int clients) {
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread thread = new Thread(() -> run(client), "soak-client-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    private void run(int client) {
        Random random = new Random(client);
        String key = keys.get(client % keys.size());
        long turn = client;
        while (running.get()) {
            String prompt = PROMPTS.get(random.nextInt(PROMPTS.size()));
            int mode = (int) (turn++ % 3);
            try {
                switch (mode) {
                    case 0 -> plain(key, prompt);
                    case 1 -> streamed(key, prompt, false);
                    default -> streamed(key, prompt, true);
                }
            }
            catch (IOException e) {
                count("connection failed");
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException e) {
                count("client error: " + e.getClass().getSimpleName());
            }
        }
    }

    private void plain(String key, String prompt) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(key, prompt, false), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            count("plain: HTTP " + response.statusCode());
            return;
        }
        JsonNode body = Api.JSON.readTree(response.body());
        confirmed.put(body.get("id").asString(),
                new Confirmed(body.at("/usage/prompt_tokens").asLong(), body.at("/usage/completion_tokens").asLong()));
        count("plain: completed");
    }

    private void streamed(String key, String prompt, boolean disconnect) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request(key, prompt, true),
                HttpResponse.BodyHandlers.ofInputStream());
        String kind = disconnect ? "streamed, client left early" : "streamed";
        try (InputStream body = response.body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                count(kind + ": HTTP " + response.statusCode());
                return;
            }
            String id = null;
            JsonNode usage = null;
            boolean done = false;
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
                id = chunk.path("id").asString(id);
                if (disconnect) {
                    count(kind + ": disconnected");
                    return; // closing the body mid-stream is the client going away
                }
                if (chunk.hasNonNull("usage")) {
                    usage = chunk.get("usage");
                }
            }
            if (done && id != null && usage != null) {
                confirmed.put(id,
                        new Confirmed(usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong()));
                count(kind + ": completed");
            }
            else {
                count(kind + ": ended without [DONE] and usage");
            }
        }
    }

    private HttpRequest request(String key, String prompt, boolean stream) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        body.put("max_tokens", 24);
        if (stream) {
            body.put("stream", true);
            body.put("stream_options", Map.of("include_usage", true));
        }
        return HttpRequest.newBuilder(URI.create(gateway + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(90))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body)))
            .build();
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> new LongAdder()).increment();
    }

    long requests() {
        return outcomes.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Stops the clients and waits for their last requests. */
    @Override
    public void close() {
        running.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(120_000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
