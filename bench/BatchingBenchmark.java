import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.energy.Work;
import io.tokenfactory.inference.generation.ByteTransformer;
import io.tokenfactory.inference.generation.ByteVocabulary;
import io.tokenfactory.inference.generation.GenerationEngine;
import io.tokenfactory.inference.generation.GenerationListener;
import io.tokenfactory.inference.generation.GenerationRequest;
import io.tokenfactory.inference.generation.GenerationResult;
import io.tokenfactory.inference.generation.TokenSampler;

/**
 * Continuous batching on against off (max batch 1), side by side in one run, on the shipped model: at each
 * concurrency, that many clients each send requests back to back for a fixed time; aggregate completion tokens per
 * second and time to first token (submission to first token, queueing included) are measured. Each cell runs
 * three times and the run with the median throughput is reported.
 *
 * Run with bench/batching.sh; arguments: seconds per cell, output file.
 */
public class BatchingBenchmark {

    static final int[] CONCURRENCY = {1, 4, 8, 16, 32};
    static final String[] PROMPTS = {"Call me Ishmael. Some years ago", "The whale rose from the sea and",
            "Captain Ahab stood upon the deck,", "It was a dark and stormy night; the", "Queequeg and I went down to"};
    static final int MAX_TOKENS = 128;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 8;
        Path output = args.length > 1 ? Path.of(args[1]) : null;
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
                InputStream in = BatchingBenchmark.class.getResourceAsStream("/models/byte-lm-moby/model.tfbt")) {
            ByteTransformer model = ByteTransformer.load(manager, in);
            StringBuilder table = new StringBuilder();
            table.append(String.format(Locale.ROOT, "| concurrency | batching | tokens/s | p50 TTFT ms | p99 TTFT ms | requests |%n"));
            table.append("|---:|---|---:|---:|---:|---:|\n");
            double[] off = new double[CONCURRENCY.length];
            double[] on = new double[CONCURRENCY.length];
            // warm-up: JIT and PyTorch's allocator, on both paths, so the first measured cell is not penalised
            run(model, manager, 1, 2, 4);
            run(model, manager, 32, 16, 4);
            for (int i = 0; i < CONCURRENCY.length; i++) {
                int c = CONCURRENCY[i];
                Cell without = median(model, manager, 1, c, seconds);
                Cell with = median(model, manager, 32, c, seconds);
                off[i] = without.tokensPerSecond;
                on[i] = with.tokensPerSecond;
                table.append(without.row(c, "off")).append(with.row(c, "on"));
                System.out.print(without.row(c, "off") + with.row(c, "on"));
            }
            int sixteen = 3;
            String summary = String.format(Locale.ROOT,
                    "%nBatching on: %.1fx aggregate tokens/s at concurrency 16 vs 1 (target >= 8x); "
                            + "at concurrency 16 batching on gives %.1fx batching off.%n",
                    on[sixteen] / on[0], on[sixteen] / off[sixteen]);
            table.append(summary);
            System.out.print(summary);
            if (output != null) {
                Files.writeString(output, table.toString());
            }
        }
    }

    record Cell(double tokensPerSecond, double p50, double p99, long requests) {
        String row(int concurrency, String batching) {
            return String.format(Locale.ROOT, "| %d | %s | %.0f | %.1f | %.1f | %d |%n", concurrency, batching,
                    tokensPerSecond, p50, p99, requests);
        }
    }

    static final int REPETITIONS = 3;

    /** This machine's two cores are shared and noisy: each cell runs three times, alternating, and the median counts. */
    static Cell median(ByteTransformer model, NDManager manager, int maxBatch, int clients, double seconds)
            throws Exception {
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < REPETITIONS; i++) {
            cells.add(run(model, manager, maxBatch, clients, seconds));
        }
        cells.sort(java.util.Comparator.comparingDouble(Cell::tokensPerSecond));
        return cells.get(REPETITIONS / 2);
    }

    static Cell run(ByteTransformer model, NDManager manager, int maxBatch, int clients, double seconds)
            throws Exception {
        List<Long> ttft = Collections.synchronizedList(new ArrayList<>());
        AtomicLong tokens = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        try (GenerationEngine engine = new GenerationEngine("bench", model, manager, maxBatch, 256, new NoEnergy(),
                Clock.systemUTC(), new SimpleMeterRegistry())) {
            CountDownLatch done = new CountDownLatch(clients);
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread thread = new Thread(() -> {
                    int n = 0;
                    while (System.nanoTime() < deadline) {
                        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
                        engine.submit(new GenerationRequest(ByteVocabulary.encode(PROMPTS[(client + n++) % PROMPTS.length]),
                                MAX_TOKENS, new TokenSampler(0.8, 0.95, (long) n), List.of(), new GenerationListener() {
                                    @Override
                                    public void onText(String text, int completionTokens) {
                                    }

                                    @Override
                                    public void onFinish(GenerationResult finished) {
                                        result.complete(finished);
                                    }
                                }));
                        GenerationResult finished = result.join();
                        if (System.nanoTime() <= deadline) {
                            tokens.addAndGet(finished.completionTokens());
                            requests.incrementAndGet();
                            ttft.add(finished.timeToFirstTokenMs());
                        }
                    }
                    done.countDown();
                });
                thread.start();
            }
            done.await();
            double elapsed = Math.min(seconds, (System.nanoTime() - start) / 1e9);
            List<Long> sorted = new ArrayList<>(ttft);
            Collections.sort(sorted);
            return new Cell(tokens.get() / elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99), requests.get());
        }
    }

    static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** Energy is not what this benchmark measures. */
    static final class NoEnergy implements NodeEnergy {
        public String node() {
            return "bench";
        }

        public String nodeClass() {
            return null;
        }

        public String device() {
            return "none";
        }

        public EnergySource source() {
            return EnergySource.NONE;
        }

        public Work start(boolean tokensVisible) {
            return new Work() {
                public void tokens(double count) {
                }

                public CompletableFuture<MeasuredEnergy> finish(long producedTokens) {
                    return CompletableFuture.completedFuture(MeasuredEnergy.UNMETERED);
                }

                public boolean withdraw() {
                    return true;
                }
            };
        }
    }
}
