package io.tokenfactory.inference.fairshare;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.FairShareSettings;

/**
 * At most {@code permits} requests at once to one remote model's server; the rest wait in
 * a {@link FairQueue} (so in weighted fair order per department, interactive ahead of
 * batch) for up to {@code maxWait}. A request that finds the queue full, or waits longer,
 * is refused ({@link AdmissionRefusedException}: 429). A waiting request holds its
 * thread. A department with nothing in flight takes one of a few newcomer slots beyond
 * the limit when all are taken ({@code newcomer-slots}), so one that sends now and then
 * is not held behind a flood's long requests.
 *
 * <p>
 * Metrics: {@code tokenfactory.inference.remote.concurrency} (requests in flight to the
 * server), and the queue's.
 */
public final class ConcurrencyLimit {

    private final String model;

    private final int permits;

    private final Duration maxWait;

    private final FairQueue<Waiter> queue;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition admitted = lock.newCondition();

    /** Slots beyond {@code permits} for departments with nothing in flight. */
    private final int newcomerSlots;

    // guarded by lock
    private int inUse;

    // guarded by lock: requests in flight per department, and newcomer slots taken
    private final Map<UUID, Integer> inFlightByDepartment = new HashMap<>();

    private int newcomersInUse;

    public ConcurrencyLimit(String model, int permits, int queueCapacity, Duration maxWait, FairShareSettings settings,
            MeterRegistry meters) {
        if (permits < 1) {
            throw new IllegalArgumentException("a server takes at least one request at a time");
        }
        this.model = model;
        this.permits = permits;
        this.maxWait = maxWait;
        this.queue = new FairQueue<>(model, queueCapacity, settings, meters);
        this.newcomerSlots = settings.enabled() ? settings.newcomerSlots() : 0;
        Gauge.builder("tokenfactory.inference.remote.concurrency", this, ConcurrencyLimit::inFlight)
            .description("Requests in flight to a remote model's server")
            .tag("model", model)
            .register(meters);
    }

    /**
     * Waits for a free slot, in fair order; {@code cost} is the request's work at most
     * (prompt plus maximum completion tokens).
     * @throws AdmissionRefusedException when the queue is full, or no slot came free
     * within the longest wait
     */
    public Permit acquire(Requester requester, long cost) {
        Waiter waiter = new Waiter(requester, Math.max(1, cost));
        lock.lock();
        try {
            if (inUse >= permits && newcomersInUse < newcomerSlots
                    && inFlightByDepartment.getOrDefault(requester.department(), 0) == 0
                    && queue.waiting(requester) == 0) {
                // a department with nothing in flight need not wait for a flood's slot to
                // free
                waiter.newcomer = true;
                newcomersInUse++;
                admit(waiter);
                return new Permit(waiter);
            }
            if (!queue.offer(waiter, requester, waiter.cost)) {
                throw new AdmissionRefusedException("model " + model + " has " + queue.size()
                        + " requests waiting for its server; try again in 1 s", 1);
            }
            dispatch();
            long remaining = maxWait.toNanos();
            while (!waiter.admitted) {
                if (remaining <= 0) {
                    queue.remove(waiter);
                    throw new AdmissionRefusedException("model " + model + " had no free slot on its server for "
                            + maxWait.toSeconds() + " s; try again in 1 s", 1);
                }
                try {
                    remaining = admitted.awaitNanos(remaining);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (waiter.admitted) {
                        release(waiter, -1);
                    }
                    else {
                        queue.remove(waiter);
                    }
                    throw new AdmissionRefusedException("interrupted while waiting for model " + model, 1);
                }
            }
            return new Permit(waiter);
        }
        finally {
            lock.unlock();
        }
    }

    /** Hands free slots to the next waiters in fair order; the lock is held. */
    private void dispatch() {
        boolean any = false;
        Waiter next;
        while (inUse < permits && (next = queue.poll()) != null) {
            admit(next);
            any = true;
        }
        if (any) {
            admitted.signalAll();
        }
    }

    /** Gives the waiter a slot; the lock is held. */
    private void admit(Waiter waiter) {
        waiter.admitted = true;
        inUse++;
        inFlightByDepartment.merge(waiter.requester.department(), 1, Integer::sum);
    }

    private void release(Waiter waiter, long actualWork) {
        lock.lock();
        try {
            if (waiter.released) {
                return;
            }
            waiter.released = true;
            inUse--;
            inFlightByDepartment.computeIfPresent(waiter.requester.department(),
                    (department, count) -> count > 1 ? count - 1 : null);
            if (waiter.newcomer) {
                newcomersInUse--;
            }
            if (actualWork >= 0) {
                queue.settle(waiter.requester, waiter.cost, actualWork);
            }
            dispatch();
        }
        finally {
            lock.unlock();
        }
    }

    /** Requests in flight to the server. */
    public int inFlight() {
        lock.lock();
        try {
            return inUse;
        }
        finally {
            lock.unlock();
        }
    }

    /** Requests waiting for a slot. */
    public int waiting() {
        return queue.size();
    }

    /** Requests of a department and priority class waiting for a slot. */
    public int waiting(Requester requester) {
        return queue.waiting(requester);
    }

    private static final class Waiter {

        private final Requester requester;

        private final long cost;

        // guarded by the limit's lock
        private boolean admitted;

        private boolean newcomer;

        private boolean released;

        Waiter(Requester requester, long cost) {
            this.requester = requester;
            this.cost = cost;
        }

    }

    /**
     * A slot on the server, held until the request is over; released once, whichever
     * release comes first.
     */
    public final class Permit implements AutoCloseable {

        private final Waiter waiter;

        private Permit(Waiter waiter) {
            this.waiter = waiter;
        }

        /**
         * Frees the slot and puts in the request's actual work (prompt plus completion
         * tokens) for its department's share.
         */
        public void release(long actualWork) {
            ConcurrencyLimit.this.release(waiter, Math.max(0, actualWork));
        }

        /** Frees the slot; the department keeps the work it was charged. */
        @Override
        public void close() {
            ConcurrencyLimit.this.release(waiter, -1);
        }

    }

}
