package io.tokenfactory.inference.fairshare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.inference.FairShareSettings;

import org.junit.jupiter.api.Test;

/**
 * The scheduler on its own, step by step: which waiting request a free slot goes to.
 */
class FairQueueTests {

    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    private static final UUID C = UUID.fromString("00000000-0000-0000-0000-00000000000c");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void aFloodOfOneDepartmentAt32ConcurrentDelaysAnotherDepartmentsNextRequestByOneServiceSlotAtMost() {
        // 8 slots; department A keeps 32 requests in the system (closed loop: each one
        // that ends is sent again at once), department B sends one request at a time
        // at random moments
        Simulation fair = new Simulation(FairShareSettings.equalShares(), 8, 32);
        Simulation fifo = new Simulation(FairShareSettings.FIRST_COME_FIRST_SERVED, 8, 32);
        for (int i = 0; i < 200; i++) {
            assertThat(fair.slotsUntilBIsAdmitted()).as("slots B waited, fair").isLessThanOrEqualTo(1);
            fifo.slotsUntilBIsAdmitted();
        }
        // first come, first served: B waits behind all of A's 24 waiting requests
        assertThat(fifo.waited).allSatisfy(slots -> assertThat(slots).isEqualTo(25));
    }

    @Test
    void weightsThreeToOneAdmitThreeToOneUnderContention() {
        FairShareSettings settings = new FairShareSettings(true, Map.of(A, 3.0), 0.1, 0);
        FairQueue<String> queue = queue(64, settings);
        for (int i = 0; i < 10; i++) {
            queue.offer("a", requester(A), 100);
            queue.offer("b", requester(B), 100);
        }
        Map<String, Integer> admitted = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            String next = queue.poll();
            admitted.merge(next, 1, Integer::sum);
            // both stay backlogged: each admitted request is followed by another
            queue.offer(next, requester(next.equals("a") ? A : B), 100);
        }
        assertThat(admitted.get("a")).isCloseTo(300, within(2));
        assertThat(admitted.get("b")).isCloseTo(100, within(2));
    }

    @Test
    void sharesFollowTheWorkActuallyServedNotJustTheRequestsCounted() {
        FairQueue<String> queue = queue(64, FairShareSettings.equalShares());
        for (int i = 0; i < 10; i++) {
            queue.offer("a", requester(A), 100);
            queue.offer("b", requester(B), 100);
        }
        Map<String, Integer> admitted = new HashMap<>();
        for (int i = 0; i < 550; i++) {
            String next = queue.poll();
            admitted.merge(next, 1, Integer::sum);
            // A's requests stop after 10 of their 100 tokens (a stop sequence); B's use
            // all
            queue.settle(requester(next.equals("a") ? A : B), 100, next.equals("a") ? 10 : 100);
            queue.offer(next, requester(next.equals("a") ? A : B), 100);
        }
        assertThat(admitted.get("a")).isCloseTo(500, within(2));
        assertThat(admitted.get("b")).isCloseTo(50, within(2));
    }

    @Test
    void anIdleDepartmentBanksNoCredit() {
        FairQueue<String> queue = queue(64, FairShareSettings.equalShares());
        // A alone for a long time, then B arrives with a backlog of its own
        for (int i = 0; i < 100; i++) {
            queue.offer("a", requester(A), 10);
            queue.poll();
        }
        for (int i = 0; i < 10; i++) {
            queue.offer("a", requester(A), 10);
            queue.offer("b", requester(B), 10);
        }
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            order.add(queue.poll());
        }
        // not ten of B's in a row for the hundred A had alone: they alternate
        assertThat(order).containsExactly("b", "a", "b", "a", "b", "a", "b", "a", "b", "a");
    }

    @Test
    void withinADepartmentInteractiveWorkIsAdmittedAheadOfBatchWork() {
        FairQueue<String> queue = queue(64, FairShareSettings.equalShares());
        queue.offer("batch-1", new Requester(A, Priority.BATCH), 10);
        queue.offer("batch-2", new Requester(A, Priority.BATCH), 10);
        queue.offer("interactive-1", new Requester(A, Priority.INTERACTIVE), 10);
        queue.offer("interactive-2", new Requester(A, Priority.INTERACTIVE), 10);

        assertThat(drain(queue)).containsExactly("interactive-1", "interactive-2", "batch-1", "batch-2");
    }

    @Test
    void batchWorkGetsItsShareWhileItsDepartmentsInteractiveWorkKeepsComing() {
        FairQueue<String> queue = queue(64, new FairShareSettings(true, Map.of(), 0.1, 0));
        for (int i = 0; i < 20; i++) {
            queue.offer("batch", new Requester(A, Priority.BATCH), 10);
        }
        int batch = 0;
        for (int i = 0; i < 100; i++) {
            queue.offer("interactive", new Requester(A, Priority.INTERACTIVE), 10);
            if ("batch".equals(queue.poll())) {
                batch++;
            }
        }
        // one admission in ten, never starved
        assertThat(batch).isEqualTo(10);
    }

    @Test
    void withNoBatchShareBatchWorkWaitsUntilNoInteractiveWorkOfItsDepartmentWaits() {
        FairQueue<String> queue = queue(64, new FairShareSettings(true, Map.of(), 0, 0));
        for (int i = 0; i < 5; i++) {
            queue.offer("batch", new Requester(A, Priority.BATCH), 10);
        }
        for (int i = 0; i < 50; i++) {
            queue.offer("interactive", new Requester(A, Priority.INTERACTIVE), 10);
            assertThat(queue.poll()).isEqualTo("interactive");
        }
        assertThat(queue.poll()).isEqualTo("batch");
    }

    @Test
    void aDepartmentsBatchWorkStillHasItsDepartmentsFairShareAgainstAnotherDepartmentsInteractiveWork() {
        FairQueue<String> queue = queue(64, FairShareSettings.equalShares());
        for (int i = 0; i < 4; i++) {
            queue.offer("a-interactive", new Requester(A, Priority.INTERACTIVE), 10);
            queue.offer("b-batch", new Requester(B, Priority.BATCH), 10);
        }
        assertThat(drain(queue)).containsExactly("a-interactive", "b-batch", "a-interactive", "b-batch",
                "a-interactive", "b-batch", "a-interactive", "b-batch");
    }

    @Test
    void disabledItIsFirstComeFirstServedAcrossDepartmentsAndPriorities() {
        FairQueue<String> queue = queue(64, FairShareSettings.FIRST_COME_FIRST_SERVED);
        queue.offer("a-1", new Requester(A, Priority.BATCH), 10);
        queue.offer("a-2", new Requester(A, Priority.INTERACTIVE), 10);
        queue.offer("a-3", new Requester(A, Priority.INTERACTIVE), 10);
        queue.offer("b-1", new Requester(B, Priority.INTERACTIVE), 10);
        queue.offer("a-4", new Requester(A, Priority.INTERACTIVE), 10);
        queue.offer("c-1", new Requester(C, Priority.INTERACTIVE), 10);

        assertThat(drain(queue)).containsExactly("a-1", "a-2", "a-3", "b-1", "a-4", "c-1");
    }

    @Test
    void disabledTheBoundIsStrict() {
        FairQueue<String> queue = queue(4, FairShareSettings.FIRST_COME_FIRST_SERVED);
        for (int i = 0; i < 4; i++) {
            assertThat(queue.offer("a", requester(A), 10)).isTrue();
        }
        assertThat(queue.offer("a", requester(A), 10)).isFalse();
        assertThat(queue.offer("b", requester(B), 10)).isFalse();
        assertThat(refused(A)).isEqualTo(1);
        assertThat(refused(B)).isEqualTo(1);
    }

    @Test
    void aFullQueueRefusesTheFloodingDepartmentButLetsAnotherInUpToItsShareAndNeverBeyondTwiceTheBound() {
        FairQueue<String> queue = queue(4, FairShareSettings.equalShares());
        for (int i = 0; i < 4; i++) {
            assertThat(queue.offer("a", requester(A), 10)).isTrue();
        }
        assertThat(queue.offer("a", requester(A), 10)).as("the flood's own newcomer").isFalse();
        // B's share of the bound is half of it, with A waiting: two
        assertThat(queue.offer("b", requester(B), 10)).isTrue();
        assertThat(queue.offer("b", requester(B), 10)).isTrue();
        assertThat(queue.offer("b", requester(B), 10)).isFalse();
        // C's share is a third, 1.3: it gets in while it holds less, once
        assertThat(queue.offer("c", requester(C), 10)).isTrue();
        assertThat(queue.offer("c", requester(C), 10)).isTrue();
        assertThat(queue.offer("c", requester(C), 10)).isFalse();
        assertThat(queue.size()).isEqualTo(8);
        assertThat(queue.offer("d", requester(UUID.randomUUID()), 10)).as("twice the bound").isFalse();
        assertThat(queue.size()).isEqualTo(8);
        // as the queue drains below its bound, anyone gets in again
        for (int i = 0; i < 5; i++) {
            queue.poll();
        }
        assertThat(queue.offer("a", requester(A), 10)).isTrue();
    }

    @Test
    void aRemovedRequestIsNeitherAdmittedNorCharged() {
        FairQueue<String> queue = queue(64, FairShareSettings.equalShares());
        queue.offer("a-1", requester(A), 10);
        queue.offer("a-2", requester(A), 10);
        assertThat(queue.remove("a-1")).isTrue();
        assertThat(queue.remove("a-1")).isFalse();
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.waiting(requester(A))).isEqualTo(1);
        assertThat(queue.poll()).isEqualTo("a-2");
        assertThat(queue.poll()).isNull();
    }

    @Test
    void pollWaitsForAnItem() throws Exception {
        FairQueue<String> queue = queue(64, FairShareSettings.equalShares());
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS)).isNull();
        Thread offer = new Thread(() -> queue.offer("late", requester(A), 1));
        offer.start();
        assertThat(queue.poll(10, TimeUnit.SECONDS)).isEqualTo("late");
        offer.join();
    }

    @Test
    void tellsTheWaitAndTheWaitingPerDepartmentAndPriority() {
        FairQueue<String> queue = new FairQueue<>("moby", 64, FairShareSettings.equalShares(), meters);
        queue.offer("a", new Requester(A, Priority.BATCH), 10);
        queue.offer("b", new Requester(B, Priority.INTERACTIVE), 10);
        assertThat(meters.get("tokenfactory.inference.queue.waiting")
            .tags("model", "moby", "department", A.toString(), "priority", "batch")
            .gauge()
            .value()).isEqualTo(1);
        assertThat(meters.get("tokenfactory.inference.queue.depth").tags("model", "moby").gauge().value()).isEqualTo(2);

        queue.poll();
        queue.poll();

        assertThat(meters.get("tokenfactory.inference.queue.wait")
            .tags("model", "moby", "department", B.toString(), "priority", "interactive")
            .timer()
            .count()).isEqualTo(1);
        assertThat(meters.get("tokenfactory.inference.queue.waiting")
            .tags("model", "moby", "department", A.toString(), "priority", "batch")
            .gauge()
            .value()).isZero();
    }

    private FairQueue<String> queue(int capacity, FairShareSettings settings) {
        return new FairQueue<>("test", capacity, settings, meters);
    }

    private double refused(UUID department) {
        return meters.get("tokenfactory.inference.queue.refused")
            .tags("department", department.toString())
            .counter()
            .count();
    }

    private static Requester requester(UUID department) {
        return new Requester(department, Priority.INTERACTIVE);
    }

    private static List<String> drain(FairQueue<String> queue) {
        List<String> order = new ArrayList<>();
        String next;
        while ((next = queue.poll()) != null) {
            order.add(next);
        }
        return order;
    }

    /**
     * A server with a number of slots, in time steps: department A's clients keep
     * {@code flood} requests in the system (each one that ends is sent again at once), B
     * sends one request at a time, a while after its last one ended. Requests take 60 to
     * 100 steps (and tokens); a slot that comes free goes to the queue's next.
     */
    private final class Simulation {

        private final FairQueue<Running> queue;

        private final Random random = new Random(7);

        private final List<Integer> waited = new ArrayList<>();

        private final List<Running> running = new ArrayList<>();

        private long now;

        Simulation(FairShareSettings settings, int slots, int flood) {
            this.queue = new FairQueue<>("simulated", 256, settings, meters);
            for (int i = 0; i < flood; i++) {
                queue.offer(new Running(A), requester(A), 100);
            }
            for (int i = 0; i < slots; i++) {
                start(queue.poll());
            }
        }

        /**
         * B sends its next request after a pause; returns how many slots came free until
         * one was B's.
         */
        int slotsUntilBIsAdmitted() {
            long sendAt = now + random.nextInt(50);
            while (earliestEnd() <= sendAt) {
                freeASlot();
            }
            queue.offer(new Running(B), requester(B), 100);
            int slots = 0;
            Running admitted;
            do {
                slots++;
                admitted = freeASlot();
            }
            while (admitted.department != B);
            // B's request runs to its end before B sends the next
            while (running.contains(admitted)) {
                freeASlot();
            }
            waited.add(slots);
            return slots;
        }

        private long earliestEnd() {
            return running.stream().mapToLong(r -> r.endsAt).min().orElseThrow();
        }

        /**
         * The running request that ends first ends (one of A's is sent again at once);
         * the free slot goes to the queue's next, which is returned.
         */
        private Running freeASlot() {
            Running ending = running.stream().min((x, y) -> Long.compare(x.endsAt, y.endsAt)).orElseThrow();
            running.remove(ending);
            now = ending.endsAt;
            queue.settle(requester(ending.department), 100, ending.tokens);
            if (ending.department == A) {
                queue.offer(new Running(A), requester(A), 100);
            }
            Running next = queue.poll();
            start(next);
            return next;
        }

        private void start(Running request) {
            request.tokens = 60 + random.nextInt(41);
            request.endsAt = now + request.tokens;
            running.add(request);
        }

    }

    private static final class Running {

        private final UUID department;

        private long tokens;

        private long endsAt;

        Running(UUID department) {
            this.department = department;
        }

    }

}
