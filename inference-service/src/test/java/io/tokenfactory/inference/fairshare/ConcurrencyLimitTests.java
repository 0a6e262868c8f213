package io.tokenfactory.inference.fairshare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.inference.FairShareSettings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The remote servers' concurrency limit with real threads waiting for its slots.
 */
class ConcurrencyLimitTests {

    private static final Requester A = new Requester(UUID.randomUUID(), Priority.INTERACTIVE);

    private static final Requester B = new Requester(UUID.randomUUID(), Priority.INTERACTIVE);

    private final ExecutorService threads = Executors.newCachedThreadPool();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aSlotThatComesFreeGoesToTheWaitingDepartmentNotToTheFloodsNextRequest() throws Exception {
        ConcurrencyLimit limit = limit(4, FairShareSettings.equalShares());
        BlockingQueue<Admission> admitted = new LinkedBlockingQueue<>();
        // A: 32 concurrent requests, 4 in flight and 28 waiting
        for (int i = 0; i < 32; i++) {
            acquire(limit, A, admitted);
        }
        List<Admission> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(admitted.poll(10, TimeUnit.SECONDS));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting(A) == 28);
        acquire(limit, B, admitted);
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting(B) == 1);

        running.get(0).permit.release(100);

        Admission next = admitted.poll(10, TimeUnit.SECONDS);
        assertThat(next.requester).isEqualTo(B);
        assertThat(limit.inFlight()).isEqualTo(4);
        assertThat(admitted).isEmpty();
    }

    @Test
    void aDepartmentWithNothingInFlightTakesANewcomerSlotAtOnceButOnlyOneAtATimeAndOnlyWhileThereAreSome()
            throws Exception {
        Requester c = new Requester(UUID.randomUUID(), Priority.INTERACTIVE);
        ConcurrencyLimit limit = limit(2, FairShareSettings.equalShares().withNewcomerSlots(1));
        BlockingQueue<Admission> admitted = new LinkedBlockingQueue<>();
        for (int i = 0; i < 8; i++) {
            acquire(limit, A, admitted);
        }
        admitted.poll(10, TimeUnit.SECONDS);
        admitted.poll(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting(A) == 6);

        // B has nothing in flight: in at once, beyond the limit
        Admission newcomer = new Admission(B, limit.acquire(B, 100));
        assertThat(limit.inFlight()).isEqualTo(3);
        // B's second request, and C while the one newcomer slot is taken, wait their turn
        acquire(limit, B, admitted);
        acquire(limit, c, admitted);
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting(B) == 1 && limit.waiting(c) == 1);
        assertThat(admitted).isEmpty();

        // the newcomer slot freed: the next department to arrive with nothing in flight
        // takes it; those queued wait for a slot within the limit, in fair order
        newcomer.permit.release(100);
        Requester d = new Requester(UUID.randomUUID(), Priority.INTERACTIVE);
        limit.acquire(d, 100);
        assertThat(limit.inFlight()).isEqualTo(3);
        assertThat(limit.waiting(B) + limit.waiting(c)).isEqualTo(2);
        assertThat(admitted).isEmpty();
    }

    @Test
    void firstComeFirstServedTheSlotGoesToTheFloodsOldestRequest() throws Exception {
        ConcurrencyLimit limit = limit(1, FairShareSettings.FIRST_COME_FIRST_SERVED);
        BlockingQueue<Admission> admitted = new LinkedBlockingQueue<>();
        acquire(limit, A, admitted);
        Admission first = admitted.poll(10, TimeUnit.SECONDS);
        acquire(limit, A, admitted);
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting(A) == 1);
        acquire(limit, B, admitted);
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting(B) == 1);

        first.permit.close();

        assertThat(admitted.poll(10, TimeUnit.SECONDS).requester).isEqualTo(A);
    }

    @Test
    void aRequestThatFindsTheQueueFullIsRefusedAtOnce() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit("remote", 1, 1, Duration.ofSeconds(30),
                FairShareSettings.FIRST_COME_FIRST_SERVED, meters);
        BlockingQueue<Admission> admitted = new LinkedBlockingQueue<>();
        acquire(limit, A, admitted);
        admitted.poll(10, TimeUnit.SECONDS);
        acquire(limit, A, admitted);
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting() == 1);

        assertThatThrownBy(() -> limit.acquire(A, 10)).isInstanceOf(AdmissionRefusedException.class)
            .hasMessageContaining("waiting");
    }

    @Test
    void aRequestThatFindsNoFreeSlotInTimeIsRefusedAndLeavesTheQueue() {
        ConcurrencyLimit limit = new ConcurrencyLimit("remote", 1, 8, Duration.ofMillis(50),
                FairShareSettings.equalShares(), meters);
        ConcurrencyLimit.Permit held = limit.acquire(A, 10);

        assertThatThrownBy(() -> limit.acquire(B, 10)).isInstanceOf(AdmissionRefusedException.class)
            .hasMessageContaining("no free slot");
        assertThat(limit.waiting()).isZero();

        held.close();
        limit.acquire(B, 10).close();
        assertThat(limit.inFlight()).isZero();
    }

    @Test
    void aPermitIsReleasedOnceWhateverReleasesIt() {
        ConcurrencyLimit limit = limit(2, FairShareSettings.equalShares());
        ConcurrencyLimit.Permit permit = limit.acquire(A, 10);
        limit.acquire(B, 10);
        assertThat(limit.inFlight()).isEqualTo(2);

        permit.release(5);
        permit.close();
        permit.release(5);

        assertThat(limit.inFlight()).isEqualTo(1);
        assertThat(meters.get("tokenfactory.inference.remote.concurrency").gauge().value()).isEqualTo(1);
    }

    @Test
    void weightsThreeToOneGiveThreeToOneOfTheSlotsUnderContention() throws Exception {
        ConcurrencyLimit limit = limit(1, new FairShareSettings(true, Map.of(A.department(), 3.0),
                FairShareSettings.equalShares().batchShare(), 0));
        BlockingQueue<Admission> admitted = new LinkedBlockingQueue<>();
        ConcurrencyLimit.Permit held = limit.acquire(A, 100);
        for (int i = 0; i < 8; i++) {
            acquire(limit, A, admitted);
            acquire(limit, B, admitted);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting() == 16);
        held.release(100);
        int a = 0;
        int b = 0;
        // each admitted request ends and its client sends the next: both stay backlogged
        for (int i = 0; i < 80; i++) {
            Admission next = admitted.poll(10, TimeUnit.SECONDS);
            if (next.requester.equals(A)) {
                a++;
            }
            else {
                b++;
            }
            acquire(limit, next.requester, admitted);
            await().atMost(Duration.ofSeconds(10)).until(() -> limit.waiting() == 16);
            next.permit.release(100);
        }
        assertThat(a).isBetween(58, 62);
        assertThat(b).isBetween(18, 22);
    }

    private ConcurrencyLimit limit(int permits, FairShareSettings settings) {
        return new ConcurrencyLimit("remote", permits, 256, Duration.ofSeconds(30), settings, meters);
    }

    private void acquire(ConcurrencyLimit limit, Requester requester, BlockingQueue<Admission> admitted) {
        CompletableFuture.runAsync(() -> admitted.add(new Admission(requester, limit.acquire(requester, 100))),
                threads);
    }

    private record Admission(Requester requester, ConcurrencyLimit.Permit permit) {
    }

}
