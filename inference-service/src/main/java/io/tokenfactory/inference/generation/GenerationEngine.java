package io.tokenfactory.inference.generation;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.FairShareSettings;
import io.tokenfactory.inference.energy.NodeEnergy;
import io.tokenfactory.inference.fairshare.FairQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous (iteration-level) batching for one {@link ByteTransformer}: one decode
 * thread runs one step at a time for every running request together. Between steps,
 * waiting requests join (their prompt is prefilled and its keys and values merged into
 * the batch cache) and finished or cancelled ones leave, so nobody waits for the longest
 * request of a batch. Rows of different lengths share one cache, right-aligned, each with
 * a mask over its left padding; positions need no bookkeeping, since the model's ALiBi
 * biases depend only on distance. The queue in front is bounded: when full,
 * {@link #submit} refuses at once. Waiting requests join in weighted fair order per
 * department, interactive ahead of batch ({@link FairQueue}), or first come, first served
 * when fair sharing is off.
 */
public final class GenerationEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GenerationEngine.class);

    private final String modelName;

    private final ByteTransformer model;

    private final NDManager manager;

    private final int maxBatch;

    private final int queueCapacity;

    private final NodeEnergy energy;

    private final Clock clock;

    private final FairQueue<Generation> waiting;

    private final DistributionSummary batchSizes;

    private final Thread decodeThread;

    private final AtomicInteger inFlight = new AtomicInteger();

    private volatile boolean running = true;

    // decode-thread state: the running rows and their shared cache
    private final List<Row> rows = new ArrayList<>();

    private List<NDArray> keys;

    private List<NDArray> values;

    private int cacheLength;

    /** An engine whose queue is first come, first served. */
    public GenerationEngine(String modelName, ByteTransformer model, NDManager manager, int maxBatch, int queueCapacity,
            NodeEnergy energy, Clock clock, MeterRegistry meters) {
        this(modelName, model, manager, maxBatch, queueCapacity, energy, clock, meters,
                FairShareSettings.FIRST_COME_FIRST_SERVED);
    }

    public GenerationEngine(String modelName, ByteTransformer model, NDManager manager, int maxBatch, int queueCapacity,
            NodeEnergy energy, Clock clock, MeterRegistry meters, FairShareSettings fairShare) {
        this.modelName = modelName;
        this.model = model;
        this.manager = manager;
        this.maxBatch = maxBatch;
        this.queueCapacity = queueCapacity;
        this.energy = energy;
        this.clock = clock;
        this.waiting = new FairQueue<>(modelName, queueCapacity, fairShare, meters);
        this.batchSizes = DistributionSummary.builder("tokenfactory.inference.batch.size")
            .description("Requests decoded together in one step")
            .tag("model", modelName)
            .register(meters);
        this.decodeThread = new Thread(this::decodeLoop, "decode-" + modelName);
        decodeThread.setDaemon(true);
        decodeThread.start();
    }

    /** Queues a request; it joins the running batch at the next step with a free row. */
    public Generation submit(GenerationRequest request) {
        if (request.prompt().length + request.maxTokens() > model.shape().context()) {
            throw new IllegalArgumentException("prompt plus max tokens exceed the context of " + modelName);
        }
        Generation generation = new Generation(request, clock);
        inFlight.incrementAndGet();
        if (!running || !waiting.offer(generation, request.requester(), request.work())) {
            inFlight.decrementAndGet();
            throw new EngineBusyException(modelName, queueCapacity, 1);
        }
        if (!running && waiting.remove(generation)) {
            // stopped meanwhile: the decode thread may already have drained the queue
            finish(generation, generation.cancelled(), false);
        }
        return generation;
    }

    private void decodeLoop() {
        while (running) {
            try {
                admitWaiting();
                leaveIfCancelled();
                if (!rows.isEmpty()) {
                    step();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            catch (RuntimeException | Error e) {
                log.error("Decode step of {} failed; failing its {} running requests", modelName, rows.size(), e);
                for (Row row : rows) {
                    finish(row.generation, row.generation.failed("the model failed: " + e.getClass().getSimpleName()));
                }
                rows.clear();
                closeCache();
            }
        }
        for (Row row : rows) {
            finish(row.generation, row.generation.cancelled());
        }
        rows.clear();
        closeCache();
        Generation left;
        while ((left = waiting.poll()) != null) {
            finish(left, left.cancelled());
        }
    }

    private void admitWaiting() throws InterruptedException {
        List<Generation> joining = new ArrayList<>();
        if (rows.isEmpty()) {
            Generation first = waiting.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                return;
            }
            joining.add(first);
        }
        Generation next;
        while (rows.size() + joining.size() < maxBatch && (next = waiting.poll()) != null) {
            joining.add(next);
        }
        List<Generation> admitted = new ArrayList<>();
        for (Generation generation : joining) {
            if (generation.cancelRequested()) {
                finish(generation, generation.cancelled());
            }
            else {
                admitted.add(generation);
            }
        }
        if (!admitted.isEmpty()) {
            admit(admitted);
        }
    }

    /**
     * Prefills the prompts of the joining requests together, samples each one's first
     * token and merges their keys and values into the batch; a request already finished
     * by its first token leaves at once.
     */
    private void admit(List<Generation> joining) {
        List<int[]> prompts = joining.stream().map(g -> g.request().prompt()).toList();
        int vocabulary = model.shape().vocabulary();
        int first = rows.size();
        // the node's ledger splits each metering window's energy by the tokens told to it
        joining.forEach(generation -> generation.admitted(energy));
        try {
            try (NDScope scope = new NDScope()) {
                ByteTransformer.Prefill prefill = model.prefill(manager, prompts);
                merge(prefill.keys(), prefill.values(), prompts.stream().mapToInt(p -> p.length).max().orElseThrow());
                for (int i = 0; i < joining.size(); i++) {
                    Generation generation = joining.get(i);
                    generation.promptProcessed();
                    int token = generation.request().sampler().next(prefill.logits(), i * vocabulary, vocabulary);
                    generation.accept(token);
                    rows.add(new Row(generation, prompts.get(i).length, token));
                }
            }
        }
        catch (RuntimeException | Error e) {
            // those not yet in the batch would otherwise never finish; the loop fails the
            // rows that are
            for (Generation generation : joining) {
                if (rows.stream().noneMatch(row -> row.generation == generation)) {
                    finish(generation, generation.failed("the model failed: " + e.getClass().getSimpleName()));
                }
            }
            throw e;
        }
        List<Integer> done = new ArrayList<>();
        for (int r = first; r < rows.size(); r++) {
            if (rows.get(r).generation.finished()) {
                done.add(r);
            }
        }
        if (!done.isEmpty()) {
            List<Generation> finished = done.stream().map(i -> rows.get(i).generation).toList();
            removeRows(done);
            finished.forEach(g -> finish(g, g.completed()));
        }
    }

    /**
     * Adds a prefilled row to the batch cache: both are left-padded to the longer of the
     * two and stacked.
     */
    private void merge(List<NDArray> newKeys, List<NDArray> newValues, int length) {
        if (keys == null) {
            keys = new ArrayList<>(newKeys);
            values = new ArrayList<>(newValues);
            cacheLength = length;
            keep(keys, values);
            return;
        }
        int target = Math.max(cacheLength, length);
        List<NDArray> previousKeys = keys;
        List<NDArray> previousValues = values;
        keys = new ArrayList<>();
        values = new ArrayList<>();
        try {
            for (int layer = 0; layer < newKeys.size(); layer++) {
                keys.add(NDArrays.concat(
                        new NDList(padLeft(previousKeys.get(layer), target), padLeft(newKeys.get(layer), target)), 0));
                values.add(NDArrays.concat(
                        new NDList(padLeft(previousValues.get(layer), target), padLeft(newValues.get(layer), target)),
                        0));
            }
        }
        catch (RuntimeException | Error e) {
            restore(previousKeys, previousValues);
            throw e;
        }
        cacheLength = target;
        keep(keys, values);
        closeAll(previousKeys, previousValues);
    }

    private NDArray padLeft(NDArray cache, int length) {
        Shape shape = cache.getShape();
        long missing = length - shape.get(2);
        if (missing == 0) {
            return cache;
        }
        NDArray zeros = manager.zeros(new Shape(shape.get(0), shape.get(1), missing, shape.get(3)),
                cache.getDataType());
        return NDArrays.concat(new NDList(zeros, cache), 2);
    }

    private void leaveIfCancelled() {
        List<Integer> leaving = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).generation.cancelRequested()) {
                leaving.add(i);
            }
        }
        if (!leaving.isEmpty()) {
            List<Generation> cancelled = leaving.stream().map(i -> rows.get(i).generation).toList();
            removeRows(leaving);
            cancelled.forEach(g -> finish(g, g.cancelled()));
        }
    }

    /** One token for every running row. */
    private void step() {
        int batch = rows.size();
        int length = cacheLength + 1;
        long[] tokens = new long[batch];
        float[] padding = new float[batch * length];
        for (int r = 0; r < batch; r++) {
            Row row = rows.get(r);
            tokens[r] = row.nextToken;
            int pad = length - (row.cached + 1);
            for (int c = 0; c < pad; c++) {
                padding[r * length + c] = ByteTransformer.MASKED;
            }
        }
        batchSizes.record(batch);
        float[] logits;
        try (NDScope scope = new NDScope()) {
            List<NDArray> previousKeys = new ArrayList<>(keys);
            List<NDArray> previousValues = new ArrayList<>(values);
            try {
                NDArray out = model.decode(manager.create(tokens),
                        manager.create(padding, new Shape(batch, 1, 1, length)), keys, values);
                logits = out.toFloatArray();
            }
            catch (RuntimeException | Error e) {
                restore(previousKeys, previousValues);
                throw e;
            }
            keep(keys, values);
            closeAll(previousKeys, previousValues);
        }
        cacheLength = length;
        int vocabulary = model.shape().vocabulary();
        List<Integer> done = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            Row row = rows.get(r);
            row.cached++;
            row.nextToken = row.generation.request().sampler().next(logits, r * vocabulary, vocabulary);
            row.generation.accept(row.nextToken);
            if (row.generation.finished()) {
                done.add(r);
            }
        }
        if (!done.isEmpty()) {
            List<Generation> finished = done.stream().map(i -> rows.get(i).generation).toList();
            removeRows(done);
            finished.forEach(g -> finish(g, g.completed()));
        }
    }

    /**
     * Drops rows from the batch and trims cache columns that only padding still occupies.
     */
    private void removeRows(List<Integer> indices) {
        List<Row> kept = new ArrayList<>();
        List<Integer> keptIndices = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (!indices.contains(i)) {
                kept.add(rows.get(i));
                keptIndices.add(i);
            }
        }
        rows.clear();
        rows.addAll(kept);
        if (kept.isEmpty()) {
            closeCache();
            return;
        }
        int longest = kept.stream().mapToInt(r -> r.cached).max().orElse(0);
        String columns = ":, :, " + (cacheLength - longest) + ":" + cacheLength + ", :";
        List<NDArray> previousKeys = keys;
        List<NDArray> previousValues = values;
        try (NDScope scope = new NDScope()) {
            NDArray selection = manager.create(keptIndices.stream().mapToLong(Integer::longValue).toArray());
            keys = new ArrayList<>();
            values = new ArrayList<>();
            for (int layer = 0; layer < previousKeys.size(); layer++) {
                keys.add(previousKeys.get(layer).get(new NDIndex("{}", selection)).get(columns));
                values.add(previousValues.get(layer).get(new NDIndex("{}", selection)).get(columns));
            }
            keep(keys, values);
        }
        closeAll(previousKeys, previousValues);
        cacheLength = longest;
    }

    /** Requests queued or running. */
    public int inFlight() {
        return inFlight.get();
    }

    private void finish(Generation generation, GenerationResult result) {
        finish(generation, result, true);
    }

    /**
     * @param taken whether the queue gave it out (and charged its department for it): its
     * department then pays what it did cost
     */
    private void finish(Generation generation, GenerationResult result, boolean taken) {
        inFlight.decrementAndGet();
        if (taken) {
            GenerationRequest request = generation.request();
            waiting.settle(request.requester(), request.work(),
                    (long) result.promptTokens() + result.completionTokens());
        }
        try {
            generation.request().listener().onFinish(result);
        }
        catch (RuntimeException e) {
            log.error("Listener of a {} request failed on finish", modelName, e);
        }
    }

    /**
     * After a failed step, the cache is the one before it again, so that it is closed in
     * full (the arrays the step made belong to its scope and are closed with it).
     */
    private void restore(List<NDArray> previousKeys, List<NDArray> previousValues) {
        keys = new ArrayList<>(previousKeys);
        values = new ArrayList<>(previousValues);
    }

    private static void keep(List<NDArray> keys, List<NDArray> values) {
        NDScope.unregister(keys.toArray(NDArray[]::new));
        NDScope.unregister(values.toArray(NDArray[]::new));
    }

    private static void closeAll(List<NDArray> keys, List<NDArray> values) {
        keys.forEach(NDArray::close);
        values.forEach(NDArray::close);
    }

    private void closeCache() {
        if (keys != null) {
            closeAll(keys, values);
        }
        keys = null;
        values = null;
        cacheLength = 0;
    }

    /**
     * Stops taking requests, cancels what is left (each still reports its usage) and
     * frees the cache.
     */
    @Override
    public void close() {
        running = false;
        try {
            decodeThread.join(10_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * False while a step is still running after {@link #close()} gave up waiting for it.
     */
    public boolean stopped() {
        return !decodeThread.isAlive();
    }

    private static final class Row {

        private final Generation generation;

        private int cached;

        private int nextToken;

        Row(Generation generation, int cached, int nextToken) {
            this.generation = generation;
            this.cached = cached;
            this.nextToken = nextToken;
        }

    }

}
