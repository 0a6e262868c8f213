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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * External OpenAI clients of several departments, one thread each, in turn: a plain chat
 * completion, a streamed one, and a streamed one the client walks away from after a few
 * chunks; and, for the faults that strike mid-stream, one long stream at a time. Streams
 * ask for usage in every chunk (vLLM's {@code continuous_usage_stats}), so each client
 * counts what it received chunk by chunk, whether the request completed, was cut by a
 * fault or abandoned: that count, per request id, is what metering and billing must show.
 */
final class ClientLoad implements AutoCloseable {

    /** How a request ended for its client. */
    enum Ending {

        /** the whole answer: a plain response, or a stream up to [DONE] */
        COMPLETED,
        /** the client closed the stream itself */
        WALKED_AWAY,
        /** the stream broke off: reset, or ended without [DONE] */
        CUT

    }

    /**
     * What the client of one request received: the tokens of the last usage a chunk (or
     * the plain response) carried.
     *
     * @param fault the fault in progress when a stream was cut (null: none, or not cut)
     * @param usageSeen whether any chunk carried usage; without it the tokens are unknown
     */
    record Received(String requestId, String kind, Ending ending, Fault fault, long promptTokens, long completionTokens,
            boolean usageSeen) {

        /**
         * Whether what inference sent may exceed what the client received: the client
         * left, or the relay between them was cut.
         */
        boolean mayFallShort() {
            return ending == Ending.WALKED_AWAY || (ending == Ending.CUT && fault != null && fault.cutsTheRelay);
        }

    }

    /**
     * The long stream of a fault that strikes mid-stream, watched from the fault's side.
     */
    final class LongStream {

        private final AtomicInteger chunks = new AtomicInteger();

        private final CountDownLatch firstChunks;

        private final Thread thread;

        private volatile Received received;

        private volatile String failure;

        private LongStream(String key, int chunksAwaited) {
            this.firstChunks = new CountDownLatch(chunksAwaited);
            this.thread = daemon("soak-long-stream", () -> {
                try {
                    received = stream(key, LONG_STREAM_PROMPT, LONG_STREAM_TOKENS, "long stream under a fault", 0,
                            () -> {
                                chunks.incrementAndGet();
                                firstChunks.countDown();
                            });
                }
                catch (IOException e) {
                    failure = "failed before its first chunk: " + e.getMessage();
                    count("long stream under a fault: connection failed");
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                catch (RuntimeException e) {
                    failure = "failed: " + e;
                    count("long stream under a fault: client error: " + e.getClass().getSimpleName());
                }
                finally {
                    while (firstChunks.getCount() > 0) {
                        firstChunks.countDown(); // ended early: no more chunks to wait
                                                 // for
                    }
                }
            });
        }

        /**
         * Waits until the client has received the chunks awaited (or the stream ended
         * sooner); returns the chunks received by then.
         */
        int awaitFirstChunks(Duration timeout) throws InterruptedException {
            firstChunks.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return chunks.get();
        }

        /** Waits for the stream to end; says how it did. */
        String outcome(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            Received end = received;
            if (thread.isAlive()) {
                return "the long stream still open after " + FaultInjector.seconds(timeout);
            }
            if (end == null) {
                return "the long stream " + (failure == null ? "answered with an error" : failure);
            }
            return "the long stream " + (end.ending() == Ending.COMPLETED ? "completed" : "cut") + " after "
                    + chunks.get() + " chunks, "
                    + (end.usageSeen() ? end.completionTokens() + " tokens received" : "no usage received");
        }

    }

    private static final List<String> PROMPTS = List.of("Summarise why tokens per joule matters.",
            "Write one sentence about the sea.", "Zähle drei Farben auf — schnell!", "日本語で一文を書いてください。",
            "Explain chargeback to a department head 🙂",
            "'; DROP TABLE usage_record; -- is not a prompt you should obey");

    /** Short, so that a long answer still fits the local model's 256-byte context. */
    private static final String LONG_STREAM_PROMPT = "Call me Ishmael.";

    private static final int LONG_STREAM_TOKENS = 200;

    private static final int TOKENS = 24;

    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

    private static final Runnable NO_WATCHER = () -> {
    };

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private final String gateway;

    private final List<String> keys;

    private final String model;

    private final AtomicBoolean running = new AtomicBoolean(true);

    private final List<Thread> threads = new ArrayList<>();

    private final AtomicInteger streamsOpen = new AtomicInteger();

    private volatile Fault faultInProgress;

    /**
     * What the clients received, by request id (the chunks' and responses' {@code id}).
     */
    final Map<String, Received> received = new ConcurrentHashMap<>();

    final Map<String, LongAdder> outcomes = new ConcurrentSkipListMap<>();

    ClientLoad(String gateway, List<String> keys, String model) {
        this.gateway = gateway;
        this.keys = keys;
        this.model = model;
    }

    void start(int clients) {
        for (int i = 0; i < clients; i++) {
            int client = i;
            threads.add(daemon("soak-client-" + i, () -> run(client)));
        }
    }

    private static Thread daemon(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Names the fault being injected (null when none is): a stream cut meanwhile is put
     * down to it.
     */
    void faultInProgress(Fault fault) {
        faultInProgress = fault;
    }

    /**
     * Opens a long stream (hundreds of chunks) to be cut by a fault.
     * @param chunksAwaited the chunks after which the fault is to strike
     */
    LongStream longStream(int chunksAwaited) {
        return new LongStream(keys.get(0), chunksAwaited);
    }

    /** Streams the clients have open now. */
    int streamsOpen() {
        return streamsOpen.get();
    }

    private void run(int client) {
        Random random = new Random(client);
        String key = keys.get(client % keys.size());
        long turn = client;
        while (running.get()) {
            String prompt = PROMPTS.get(random.nextInt(PROMPTS.size()));
            int mode = (int) (turn++ % 3);
            try {
                if (!answered(key, prompt, mode, random)) {
                    pauseBeforeRetrying();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One request; whether it was answered rather than refused or failed to connect. */
    private boolean answered(String key, String prompt, int mode, Random random) throws InterruptedException {
        try {
            return switch (mode) {
                case 0 -> plain(key, prompt);
                case 1 -> stream(key, prompt, TOKENS, "streamed", 0, NO_WATCHER) != null;
                default -> stream(key, prompt, TOKENS, "streamed, client walked away", 1 + random.nextInt(6),
                        NO_WATCHER) != null;
            };
        }
        catch (IOException e) {
            count("connection failed");
            return false;
        }
        catch (RuntimeException e) {
            count("client error: " + e.getClass().getSimpleName());
            return true;
        }
    }

    /**
     * A refused or failed request is tried again after a pause, as OpenAI's clients do:
     * three clients retrying a stopped gateway in a tight loop would take the CPU the
     * restarting services need.
     */
    private static void pauseBeforeRetrying() throws InterruptedException {
        Thread.sleep(RETRY_PAUSE.toMillis());
    }

    /**
     * @return whether the request was answered rather than refused
     */
    private boolean plain(String key, String prompt) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(key, prompt, TOKENS, false),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            count("plain: HTTP " + response.statusCode());
            return false;
        }
        JsonNode body = Api.JSON.readTree(response.body());
        keep(new Received(body.get("id").asString(), "plain", Ending.COMPLETED, null,
                body.at("/usage/prompt_tokens").asLong(), body.at("/usage/completion_tokens").asLong(),
                body.hasNonNull("usage")));
        return true;
    }

    /**
     * Streams a completion, keeping the usage of the last chunk that carried one.
     * @param walkAwayAfter chunks after which the client closes the stream (0: never)
     * @param onChunk told of each chunk as it arrives
     * @return what the client received (null: the request was refused)
     */
    private Received stream(String key, String prompt, int maxTokens, String kind, int walkAwayAfter, Runnable onChunk)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request(key, prompt, maxTokens, true),
                HttpResponse.BodyHandlers.ofInputStream());
        streamsOpen.incrementAndGet();
        String id = null;
        long promptTokens = 0;
        long completionTokens = 0;
        boolean usageSeen = false;
        int chunks = 0;
        Ending ending = Ending.CUT;
        try (InputStream body = response.body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                count(kind + ": HTTP " + response.statusCode());
                return null;
            }
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    ending = Ending.COMPLETED;
                    break;
                }
                JsonNode chunk = Api.JSON.readTree(data);
                if (chunk.has("error")) {
                    break; // the server gave up on the stream; no [DONE] follows
                }
                id = chunk.path("id").asString(id);
                if (chunk.hasNonNull("usage")) {
                    promptTokens = chunk.at("/usage/prompt_tokens").asLong();
                    completionTokens = chunk.at("/usage/completion_tokens").asLong();
                    usageSeen = true;
                }
                onChunk.run();
                if (++chunks == walkAwayAfter) {
                    ending = Ending.WALKED_AWAY;
                    break; // closing the body mid-stream is the client going away
                }
            }
        }
        catch (IOException | JacksonException broken) {
            // reset mid-stream, or a chunk cut in half: what came before it is what was
            // received
        }
        finally {
            streamsOpen.decrementAndGet();
        }
        Received received = new Received(id, kind, ending, ending == Ending.CUT ? faultInProgress : null, promptTokens,
                completionTokens, usageSeen);
        keep(received);
        return received;
    }

    private void keep(Received request) {
        String ending = switch (request.ending()) {
            case COMPLETED -> "completed";
            case WALKED_AWAY -> "walked away";
            case CUT -> "cut" + (request.fault() == null ? ", no fault in progress" : " by " + request.fault());
        };
        if (request.requestId() == null) {
            count(request.kind() + ": " + ending + " before its first chunk");
            return;
        }
        received.put(request.requestId(), request);
        count(request.kind() + ": " + ending);
    }

    private HttpRequest request(String key, String prompt, int maxTokens, boolean stream) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        body.put("max_tokens", maxTokens);
        if (stream) {
            body.put("stream", true);
            body.put("stream_options", Map.of("include_usage", true, "continuous_usage_stats", true));
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
