package io.tokenfactory.gateway.relayed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The tokens relayed since the last flush, in memory, per hour, department and model. A
 * response finds its counters without allocating (the maps of an hour, a department and a
 * model are made once); a flush takes what accumulated ({@link #drain}) and gives it back
 * when it could not be written ({@link #restore}).
 */
final class RelayedTotals {

    static final long HOUR_MILLIS = 3_600_000;

    /**
     * An hour's counters are dropped once it ended this long ago and nothing is left in
     * them; a response would have to take longer than this between reading the clock and
     * adding its tokens to be lost.
     */
    private static final long KEEP_AFTER_HOUR_MILLIS = 300_000;

    /** What accumulated for one hour, department and model. */
    record Row(Instant hour, UUID department, String model, long requests, long promptTokens, long completionTokens,
            long chunkCountedRequests) {

        static final Comparator<Row> KEY_ORDER = Comparator.comparing(Row::hour)
            .thenComparing(Row::department)
            .thenComparing(Row::model);

    }

    private static final class Counts {

        final AtomicLong requests = new AtomicLong();

        final AtomicLong promptTokens = new AtomicLong();

        final AtomicLong completionTokens = new AtomicLong();

        final AtomicLong chunkCountedRequests = new AtomicLong();

        void add(long requests, long prompt, long completion, long byChunks) {
            this.requests.addAndGet(requests);
            promptTokens.addAndGet(prompt);
            completionTokens.addAndGet(completion);
            chunkCountedRequests.addAndGet(byChunks);
        }

        boolean isEmpty() {
            return requests.get() == 0 && promptTokens.get() == 0 && completionTokens.get() == 0
                    && chunkCountedRequests.get() == 0;
        }

    }

    private static final class Hour {

        final long start;

        final Map<UUID, Map<String, Counts>> departments = new ConcurrentHashMap<>();

        Hour(long start) {
            this.start = start;
        }

    }

    private static final Function<UUID, Map<String, Counts>> NEW_MODELS = department -> new ConcurrentHashMap<>();

    private static final Function<String, Counts> NEW_COUNTS = model -> new Counts();

    private final Map<Long, Hour> hours = new ConcurrentHashMap<>();

    /**
     * The latest hour: every response but those ending at an hour's turn finds it here.
     */
    private volatile Hour current = new Hour(Long.MIN_VALUE);

    void add(long epochMillis, UUID department, String model, long promptTokens, long completionTokens,
            boolean countedByChunks) {
        counts(Math.floorDiv(epochMillis, HOUR_MILLIS) * HOUR_MILLIS, department, model).add(1, promptTokens,
                completionTokens, countedByChunks ? 1 : 0);
    }

    /**
     * Takes everything accumulated, in key order (every replica writes in that order).
     */
    List<Row> drain() {
        List<Row> rows = new ArrayList<>();
        for (Hour hour : hours.values()) {
            Instant start = Instant.ofEpochMilli(hour.start);
            hour.departments.forEach((department, models) -> models.forEach((model, counts) -> {
                long requests = counts.requests.getAndSet(0);
                long prompt = counts.promptTokens.getAndSet(0);
                long completion = counts.completionTokens.getAndSet(0);
                long byChunks = counts.chunkCountedRequests.getAndSet(0);
                if (requests != 0 || prompt != 0 || completion != 0 || byChunks != 0) {
                    rows.add(new Row(start, department, model, requests, prompt, completion, byChunks));
                }
            }));
        }
        rows.sort(Row.KEY_ORDER);
        return rows;
    }

    /** Gives back rows a flush could not write, for the next one. */
    void restore(List<Row> rows) {
        for (Row row : rows) {
            counts(row.hour().toEpochMilli(), row.department(), row.model()).add(row.requests(), row.promptTokens(),
                    row.completionTokens(), row.chunkCountedRequests());
        }
    }

    /** Forgets the counters of hours long over that hold nothing. */
    synchronized void prune(long nowMillis) {
        hours.values()
            .removeIf(hour -> hour.start + HOUR_MILLIS + KEEP_AFTER_HOUR_MILLIS < nowMillis && hour.departments.values()
                .stream()
                .allMatch(models -> models.values().stream().allMatch(Counts::isEmpty)));
        if (!hours.containsKey(current.start)) {
            current = new Hour(Long.MIN_VALUE);
        }
    }

    private Counts counts(long hourStart, UUID department, String model) {
        Hour hour = current;
        if (hour.start != hourStart) {
            hour = hour(hourStart);
        }
        return hour.departments.computeIfAbsent(department, NEW_MODELS).computeIfAbsent(model, NEW_COUNTS);
    }

    private synchronized Hour hour(long start) {
        Hour hour = hours.computeIfAbsent(start, Hour::new);
        if (start > current.start) {
            current = hour;
        }
        return hour;
    }

}
