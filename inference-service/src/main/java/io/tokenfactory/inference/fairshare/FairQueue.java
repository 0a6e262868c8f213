package io.tokenfactory.inference.fairshare;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import io.tokenfactory.inference.FairShareSettings;

import org.jspecify.annotations.Nullable;

/**
 * The work waiting for one model, taken in weighted fair order: start-time fair queuing
 * over departments. Each department has a tag, the work it was admitted divided by its
 * weight; the next item taken is the oldest of the department with the lowest tag. A
 * department that starts waiting has its tag raised to the tag of the last admission (the
 * virtual time), so an idle department banks no credit and a flooding one cannot push it
 * back: whoever arrives is admitted at the next free slot at the latest, and under
 * contention the departments' admitted work follows their weights. A request's work is
 * what it may cost (prompt plus maximum completion tokens) until {@link #settle} puts in
 * what it did cost.
 *
 * <p>
 * Within a department interactive work goes first; while its batch work also waits, one
 * admission in {@code 1 / batchShare} is batch work, so that never starves.
 *
 * <p>
 * The queue holds {@code capacity} items. When it is full, a department still holding
 * less than its weighted share of the capacity is let in anyway, up to twice the capacity
 * in all, so a flood that fills the queue keeps its own newcomers out, not another
 * department's. Disabled ({@link FairShareSettings#enabled()} false), it is one first
 * come, first served queue with a strict bound, as before.
 *
 * <p>
 * Metrics, per model: {@code tokenfactory.inference.queue.depth} (all waiting), and per
 * department and priority {@code tokenfactory.inference.queue.waiting},
 * {@code tokenfactory.inference.queue.wait} (time from queued to admitted) and
 * {@code tokenfactory.inference.queue.refused}.
 */
public final class FairQueue<T> {

    private final String model;

    private final int capacity;

    private final boolean fair;

    private final FairShareSettings settings;

    /** Interactive admissions in a row, while batch work waits, before one batch one. */
    private final int interactivePerBatch;

    private final MeterRegistry meterRegistry;

    private final Map<Requester, RequesterMeters> meters = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition notEmpty = lock.newCondition();

    // guarded by lock
    private final Map<UUID, Flow<T>> flows = new HashMap<>();

    // guarded by lock: all waiting items in arrival order, when fair sharing is off
    private final ArrayDeque<Entry<T>> arrivals = new ArrayDeque<>();

    private double virtualTime;

    private long sequence;

    private volatile int size;

    public FairQueue(String model, int capacity, FairShareSettings settings, MeterRegistry meterRegistry) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a queue holds at least one item");
        }
        this.model = model;
        this.capacity = capacity;
        this.fair = settings.enabled();
        this.settings = settings;
        this.interactivePerBatch = settings.batchShare() <= 0 ? Integer.MAX_VALUE
                : (int) Math.max(1, Math.round((1 - settings.batchShare()) / settings.batchShare()));
        this.meterRegistry = meterRegistry;
        Gauge.builder("tokenfactory.inference.queue.depth", this, FairQueue::size)
            .description("Requests waiting for a model: to join its batch, or for a free slot on its server")
            .tag("model", model)
            .register(meterRegistry);
    }

    /**
     * Queues an item of the requester's, whose work is {@code cost} (tokens); false when
     * there is no room for it.
     */
    public boolean offer(T item, Requester requester, long cost) {
        RequesterMeters counted = meters(requester);
        lock.lock();
        try {
            if (!hasRoom(requester.department())) {
                counted.refused.increment();
                return false;
            }
            Entry<T> entry = new Entry<>(item, requester, Math.max(1, cost), sequence++, System.nanoTime(), counted);
            if (fair) {
                Flow<T> flow = flows.computeIfAbsent(requester.department(),
                        department -> new Flow<>(settings.weight(department)));
                if (flow.isEmpty()) {
                    // no credit for the time it was away, and no debt from it either
                    flow.tag = Math.max(flow.tag, virtualTime);
                }
                flow.add(entry);
            }
            else {
                arrivals.add(entry);
            }
            size++;
            counted.waiting.incrementAndGet();
            notEmpty.signal();
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    private boolean hasRoom(UUID department) {
        if (size < capacity) {
            return true;
        }
        if (!fair || size >= 2 * capacity) {
            return false;
        }
        Flow<T> own = flows.get(department);
        double weight = settings.weight(department);
        double waitingWeights = weight;
        for (Flow<T> flow : flows.values()) {
            if (flow != own && !flow.isEmpty()) {
                waitingWeights += flow.weight;
            }
        }
        int waiting = own == null ? 0 : own.size();
        return waiting < capacity * weight / waitingWeights;
    }

    /** The next item in fair order, or null when none waits. */
    public @Nullable T poll() {
        lock.lock();
        try {
            return take();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The next item in fair order, waiting up to the timeout for one; null if none came.
     */
    public @Nullable T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                if (remaining <= 0) {
                    return null;
                }
                remaining = notEmpty.awaitNanos(remaining);
            }
            return take();
        }
        finally {
            lock.unlock();
        }
    }

    private @Nullable T take() {
        if (size == 0) {
            return null;
        }
        Entry<T> entry;
        if (fair) {
            Flow<T> next = null;
            for (Iterator<Flow<T>> all = flows.values().iterator(); all.hasNext();) {
                Flow<T> flow = all.next();
                if (flow.isEmpty()) {
                    if (flow.tag <= virtualTime) {
                        // it would start from the virtual time anyway: forgotten
                        all.remove();
                    }
                    continue;
                }
                if (next == null || flow.tag < next.tag || (flow.tag == next.tag && flow.oldest() < next.oldest())) {
                    next = flow;
                }
            }
            if (next == null) {
                throw new IllegalStateException("items are counted but none waits");
            }
            virtualTime = Math.max(virtualTime, next.tag);
            entry = next.take(interactivePerBatch);
            next.tag += entry.cost / next.weight;
        }
        else {
            entry = arrivals.remove();
        }
        size--;
        entry.meters.waiting.decrementAndGet();
        entry.meters.waited.record(System.nanoTime() - entry.queuedNanos, TimeUnit.NANOSECONDS);
        return entry.item;
    }

    /** Takes an item out that has not been admitted; false if it is not waiting. */
    public boolean remove(T item) {
        lock.lock();
        try {
            boolean removed = false;
            if (fair) {
                for (Flow<T> flow : flows.values()) {
                    Entry<T> entry = flow.remove(item);
                    if (entry != null) {
                        entry.meters.waiting.decrementAndGet();
                        removed = true;
                        break;
                    }
                }
            }
            else {
                for (Iterator<Entry<T>> all = arrivals.iterator(); all.hasNext();) {
                    Entry<T> entry = all.next();
                    if (entry.item == item) {
                        all.remove();
                        entry.meters.waiting.decrementAndGet();
                        removed = true;
                        break;
                    }
                }
            }
            if (removed) {
                size--;
            }
            return removed;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Puts in what an admitted item did cost instead of what it might have: a request
     * that ended early (a stop sequence, a cancellation) gives its department back the
     * work it did not use; one that used more pays for it.
     */
    public void settle(Requester requester, long estimated, long actual) {
        long difference = actual - Math.max(1, estimated);
        if (!fair || difference == 0) {
            return;
        }
        lock.lock();
        try {
            Flow<T> flow = flows.get(requester.department());
            if (flow == null) {
                if (difference < 0) {
                    // forgotten: it starts from the virtual time anyway
                    return;
                }
                flow = new Flow<>(settings.weight(requester.department()));
                flow.tag = virtualTime;
                flows.put(requester.department(), flow);
            }
            flow.tag += difference / flow.weight;
        }
        finally {
            lock.unlock();
        }
    }

    /** Items waiting. */
    public int size() {
        return size;
    }

    /** Items of one department and priority class waiting. */
    public int waiting(Requester requester) {
        RequesterMeters counted = meters.get(requester);
        return counted == null ? 0 : counted.waiting.get();
    }

    private RequesterMeters meters(Requester requester) {
        return meters.computeIfAbsent(requester, this::register);
    }

    private RequesterMeters register(Requester requester) {
        Tags tags = Tags.of("model", model, "department", requester.department().toString(), "priority",
                requester.priority().tag());
        AtomicInteger waiting = new AtomicInteger();
        Gauge.builder("tokenfactory.inference.queue.waiting", waiting, AtomicInteger::get)
            .description("Requests of a department and priority class waiting for a model")
            .tags(tags)
            .register(meterRegistry);
        Timer wait = Timer.builder("tokenfactory.inference.queue.wait")
            .description("Time a request of a department and priority class waited for a model, queued to admitted")
            .tags(tags)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(2))
            .register(meterRegistry);
        Counter refused = Counter.builder("tokenfactory.inference.queue.refused")
            .description("Requests of a department and priority class refused because the model's queue was full")
            .tags(tags)
            .register(meterRegistry);
        return new RequesterMeters(waiting, wait, refused);
    }

    private record RequesterMeters(AtomicInteger waiting, Timer waited, Counter refused) {
    }

    private record Entry<T>(T item, Requester requester, long cost, long sequence, long queuedNanos,
            RequesterMeters meters) {
    }

    /** One department's waiting work and its tag. */
    private static final class Flow<T> {

        private final double weight;

        private final ArrayDeque<Entry<T>> interactive = new ArrayDeque<>();

        private final ArrayDeque<Entry<T>> batch = new ArrayDeque<>();

        /** Work admitted over weight, in virtual time. */
        private double tag;

        /** Interactive admissions since the last batch one while batch work waited. */
        private int streak;

        Flow(double weight) {
            this.weight = weight;
        }

        boolean isEmpty() {
            return interactive.isEmpty() && batch.isEmpty();
        }

        int size() {
            return interactive.size() + batch.size();
        }

        long oldest() {
            long oldest = Long.MAX_VALUE;
            if (!interactive.isEmpty()) {
                oldest = interactive.peek().sequence;
            }
            if (!batch.isEmpty()) {
                oldest = Math.min(oldest, batch.peek().sequence);
            }
            return oldest;
        }

        void add(Entry<T> entry) {
            if (entry.requester.priority() == Priority.BATCH) {
                if (batch.isEmpty()) {
                    streak = 0;
                }
                batch.add(entry);
            }
            else {
                interactive.add(entry);
            }
        }

        Entry<T> take(int interactivePerBatch) {
            if (!interactive.isEmpty() && (batch.isEmpty() || streak < interactivePerBatch)) {
                if (!batch.isEmpty()) {
                    streak++;
                }
                return interactive.remove();
            }
            streak = 0;
            return batch.remove();
        }

        @Nullable Entry<T> remove(T item) {
            for (ArrayDeque<Entry<T>> queue : java.util.List.of(interactive, batch)) {
                for (Iterator<Entry<T>> all = queue.iterator(); all.hasNext();) {
                    Entry<T> entry = all.next();
                    if (entry.item == item) {
                        all.remove();
                        return entry;
                    }
                }
            }
            return null;
        }

    }

}
