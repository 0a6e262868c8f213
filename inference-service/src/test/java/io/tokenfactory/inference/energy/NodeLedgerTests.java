package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.NodeDeclarations;
import io.tokenfactory.inference.NodeSettings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One node's ledger as a state machine, with the shared window store in memory: windows
 * closed and reported, the owner's settlement, each replica's share, gaps and
 * withdrawals. Real time, half-second windows.
 */
class NodeLedgerTests {

    private static final Duration INTERVAL = Duration.ofMillis(500);

    private static final NodeLedger.Timing TIMING = new NodeLedger.Timing(INTERVAL, Duration.ofMillis(50),
            Duration.ofSeconds(5), Duration.ofMinutes(1));

    private final InMemoryWindows store = new InMemoryWindows();

    private final CountingMeter meter = new CountingMeter();

    private final List<NodeLedger> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(NodeLedger::stop);
    }

    @Test
    void theSettingsKeepTheGraceWithinHalfAWindowAndTheSettleTimeoutAtThreeWindowsOrMore() {
        NodeLedger.Timing generous = new NodeLedger.Timing(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofMillis(100), Duration.ofMinutes(1));
        NodeLedger.Timing ordinary = new NodeLedger.Timing(Duration.ofSeconds(1), Duration.ofMillis(250),
                Duration.ofSeconds(15), Duration.ofMinutes(1));

        assertThat(generous.graceMillis()).isEqualTo(500);
        assertThat(generous.settleTimeoutMillis()).isEqualTo(3_000);
        assertThat(ordinary.graceMillis()).isEqualTo(250);
        assertThat(ordinary.settleTimeoutMillis()).isEqualTo(15_000);
        assertThat(ordinary.lease()).isEqualTo(Duration.ofMillis(3_000 + 250 + 1_000));
    }

    @Test
    void requestsInOneWindowShareItsMeasuredEnergyAndTimeByTheWorkTheyTold() throws Exception {
        NodeLedger ledger = started("replica-a");
        awaitReads(1);

        Work a = ledger.start(true);
        Work b = ledger.start(true);
        a.tokens(30);
        b.tokens(10);
        CompletableFuture<MeasuredEnergy> firstDone = a.finish(30);
        CompletableFuture<MeasuredEnergy> secondDone = b.finish(10);
        MeasuredEnergy first = firstDone.get(10, TimeUnit.SECONDS);
        MeasuredEnergy second = secondDone.get(10, TimeUnit.SECONDS);

        assertThat(first.joules()).isCloseTo(37.5, within(1e-9));
        assertThat(second.joules()).isCloseTo(12.5, within(1e-9));
        assertThat(first.acceleratorSeconds()).isCloseTo(0.375, within(1e-9));
        assertThat(first.source()).isEqualTo(EnergySource.NVML);
        assertThat(first.gapSeconds()).isZero();
        assertThat(ledger.owner()).isTrue();
    }

    @Test
    void replicasOfOneNodeShareItsWindowSoTheirRequestsTogetherGetWhatTheMeterMeasuredOnce() throws Exception {
        NodeLedger replicaA = started("replica-a");
        NodeLedger replicaB = started("replica-b");
        awaitReads(1);

        Work onA = replicaA.start(true);
        Work onB = replicaB.start(true);
        onA.tokens(30);
        onB.tokens(10);
        CompletableFuture<MeasuredEnergy> doneOnA = onA.finish(30);
        CompletableFuture<MeasuredEnergy> doneOnB = onB.finish(10);
        MeasuredEnergy fromA = doneOnA.get(10, TimeUnit.SECONDS);
        MeasuredEnergy fromB = doneOnB.get(10, TimeUnit.SECONDS);

        assertThat(fromA.joules()).isCloseTo(37.5, within(1e-9));
        assertThat(fromB.joules()).isCloseTo(12.5, within(1e-9));
        assertThat(replicaA.owner() ^ replicaB.owner()).as("exactly one replica reads the meter").isTrue();
    }

    @Test
    void withoutAMeterReadingAWindowIsAGapItsRequestsGetNoJoulesForButTheirTimeIsNamed() throws Exception {
        meter.unreadable = true;
        NodeLedger ledger = started("replica-a");
        await().atMost(Duration.ofSeconds(5)).until(() -> meter.attempts.get() >= 1);

        Work work = ledger.start(true);
        work.tokens(20);
        Thread.sleep(60);
        MeasuredEnergy energy = work.finish(5).get(10, TimeUnit.SECONDS);

        assertThat(energy.joules()).isZero();
        assertThat(energy.source()).isEqualTo(EnergySource.NONE);
        assertThat(energy.gapSeconds()).isBetween(0.059, 0.5);
        assertThat(ledger.problem()).isEqualTo("exporter down");
    }

    @Test
    void aRequestIsWithdrawnWithoutATraceOnlyWhileItsWindowIsOpen() throws Exception {
        NodeLedger ledger = started("replica-a");
        awaitReads(1);

        Work unanswered = ledger.start(false);
        assertThat(unanswered.withdraw()).isTrue();

        Work counted = ledger.start(false);
        counted.tokens(5);
        awaitReads(2);
        assertThat(counted.withdraw()).isFalse();
        assertThat(counted.finish(0).get(10, TimeUnit.SECONDS).source()).isEqualTo(EnergySource.NVML);
        // the withdrawn request was never reported beside the counted one
        assertThat(store.mostRequestsInAWindow()).isEqualTo(1);
    }

    private NodeLedger started(String replica) {
        NodeSettings.MeterSettings settings = new NodeSettings.MeterSettings("nvml", null, List.of(), INTERVAL, null,
                Path.of("/sys/class/powercap"), 10, 65);
        NodeLedger ledger = new NodeLedger(
                new NodeDeclarations.Node("gpu-node-7", "h100", NodeDeclarations.Source.NVML, settings, false, null),
                meter, store, new PowerWindowRecording(null, null) {
                    @Override
                    public void publish(String node, String nodeClass, EnergyMeter meter, Instant settledUntil) {
                    }
                }, replica, TIMING, Clock.systemUTC(), new SimpleMeterRegistry());
        ledger.startTicking();
        running.add(ledger);
        return ledger;
    }

    /**
     * Returns just after the meter owner's read at a window boundary: the new window has
     * its opening reading.
     */
    private void awaitReads(int reads) {
        await().atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(2))
            .until(() -> meter.reads.get() >= reads);
    }

    /**
     * A GPU whose energy counter grows by 50 J between two readings; or an exporter that
     * does not answer.
     */
    private static final class CountingMeter implements EnergyMeter {

        final AtomicInteger reads = new AtomicInteger();

        final AtomicInteger attempts = new AtomicInteger();

        volatile boolean unreadable;

        private double joules;

        @Override
        public EnergySource source(MeterReading.Kind kind) {
            return EnergySource.NVML;
        }

        @Override
        public String device() {
            return "gpu0";
        }

        @Override
        public String deviceKind() {
            return "gpu";
        }

        @Override
        public int accelerators() {
            return 1;
        }

        @Override
        public synchronized MeterReading read() {
            attempts.incrementAndGet();
            if (unreadable) {
                throw new MeterUnreadable("exporter down");
            }
            joules += 50;
            MeterReading reading = new MeterReading(Instant.now(), MeterReading.Kind.COUNTER, Map.of("gpu0", joules));
            reads.incrementAndGet();
            return reading;
        }

        @Override
        public boolean continuable() {
            return false;
        }

    }

    /**
     * The shared window store of {@link NodeWindowStore}, in memory: one lease, reports,
     * settlements.
     */
    private static final class InMemoryWindows extends NodeWindowStore {

        private String owner;

        private final Map<Instant, Map<String, double[]>> reports = new HashMap<>();

        private final Map<Instant, Settlement> settled = new LinkedHashMap<>();

        InMemoryWindows() {
            super(null, null);
        }

        synchronized int mostRequestsInAWindow() {
            return reports.values()
                .stream()
                .mapToInt(byReplica -> byReplica.values().stream().mapToInt(report -> (int) report[1]).sum())
                .max()
                .orElse(0);
        }

        @Override
        public synchronized boolean holdLease(String node, String replica, Duration lease) {
            if (owner == null) {
                owner = replica;
            }
            return owner.equals(replica);
        }

        @Override
        public synchronized void releaseLease(String node, String replica) {
            if (replica.equals(owner)) {
                owner = null;
            }
        }

        @Override
        public Optional<MeterReading> lastReading(String node) {
            return Optional.empty();
        }

        @Override
        public void keepReading(String node, String replica, MeterReading reading) {
        }

        @Override
        public synchronized boolean report(String node, Instant windowStart, String replica, double work,
                int requests) {
            if (settled.containsKey(windowStart)) {
                return false;
            }
            reports.computeIfAbsent(windowStart, window -> new HashMap<>())
                .merge(replica, new double[] { work, requests }, (a, b) -> new double[] { a[0] + b[0], a[1] + b[1] });
            return true;
        }

        @Override
        public synchronized void settle(String node, Instant windowStart, Instant windowEnd, boolean measured,
                double joules, double acceleratorSeconds, EnergySource source, String note) {
            if (settled.containsKey(windowStart)) {
                return;
            }
            double work = 0;
            int requests = 0;
            for (double[] report : reports.getOrDefault(windowStart, Map.of()).values()) {
                work += report[0];
                requests += (int) report[1];
            }
            settled.put(windowStart,
                    new Settlement(windowStart, measured, joules, acceleratorSeconds, work, requests, source));
        }

        @Override
        public int settleOrphans(String node, Instant before, Duration window, String note) {
            return 0;
        }

        @Override
        public synchronized Map<Instant, Settlement> settlements(String node, Instant from, Instant to) {
            Map<Instant, Settlement> found = new HashMap<>();
            settled.forEach((start, settlement) -> {
                if (!start.isBefore(from) && !start.isAfter(to)) {
                    found.put(start, settlement);
                }
            });
            return found;
        }

        @Override
        public void recordGap(String node, Instant from, Instant to, Double joules, String note) {
        }

    }

}
