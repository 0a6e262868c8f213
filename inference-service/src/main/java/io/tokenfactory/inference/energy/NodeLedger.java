package io.tokenfactory.inference.energy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.inference.NodeDeclarations.Node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's energy accounting in this replica. Time is cut into metering windows aligned
 * to the clock (every replica cuts the same ones); requests tell their work as it happens
 * (prompt tokens when they arrive, generated tokens as they are produced; a whole
 * response's tokens spread over its time at the node's observed rate). When a window ends
 * every replica reports its work in it; the node's meter owner (one replica, by lease)
 * reads the meter at every boundary and, a grace period later, settles the window: its
 * measured energy and the sum of the reports. Each replica then gives its requests their
 * share — energy × its work / all work (or by requests in flight when nobody did any),
 * split among its requests by their work. So, per node and window, the requests' joules
 * plus the idle energy (windows with nothing in flight) equal what the meter measured,
 * however many replicas serve the node. A window without readings (an exporter outage,
 * garbage, a new owner) is a gap: its requests get no joules for it and say how long
 * their gap was; the energy the counter still told across a gap is recorded but given to
 * nobody.
 */
final class NodeLedger implements NodeEnergy {

    private static final Logger log = LoggerFactory.getLogger(NodeLedger.class);

    /**
     * The settings a ledger runs with; every replica of a node must use the same
     * interval.
     */
    record Timing(Duration interval, Duration grace, Duration settleTimeout, Duration publishEvery) {

        Duration lease() {
            return interval.multipliedBy(3).plus(grace).plus(Duration.ofSeconds(1));
        }

        /**
         * The wait for reports, at most half a window: the owner settles after one grace
         * and the replicas share out after two, both before the next window ends.
         */
        long graceMillis() {
            return Math.min(grace.toMillis(), interval.toMillis() / 2);
        }

        /**
         * How long a replica waits for a window's settlement before it takes it as a gap:
         * 3 windows or more.
         */
        long settleTimeoutMillis() {
            return Math.max(settleTimeout.toMillis(), 3 * interval.toMillis());
        }
    }

    private final Node node;

    private final EnergyMeter meter;

    private final NodeWindowStore store;

    private final PowerWindowRecording publication;

    private final String replica;

    private final long interval;

    private final MeteringWindows windows;

    private final long grace;

    private final long settleTimeout;

    private final long publishEvery;

    private final Duration lease;

    private final Clock clock;

    private final MeterRegistry meters;

    private final Counter gapWindows;

    // shared with the serving threads, guarded by this
    private final Map<Long, Map<Activity, Double>> work = new HashMap<>();

    private final Set<Activity> active = new LinkedHashSet<>();

    private final TreeMap<Long, Closed> awaiting = new TreeMap<>();

    private long openFrom;

    private double tokensPerSecond = ObservedTokenRate.INITIAL_TOKENS_PER_SECOND;

    // the meter owner's state, used by the tick thread only
    private boolean owner;

    private final TreeMap<Long, MeterReading> readings = new TreeMap<>();

    private MeterReading lastGood;

    private long lastGoodIndex;

    private long nextToSettle;

    private long nextPublish;

    private volatile String problem;

    private volatile EnergySource source;

    private volatile boolean stopping;

    private final AtomicLong lastReadAt;

    private volatile boolean stopped;

    private Thread ticker;

    NodeLedger(Node node, EnergyMeter meter, NodeWindowStore store, PowerWindowRecording publication, String replica,
            Timing timing, Clock clock, MeterRegistry meters) {
        this.node = node;
        this.meter = meter;
        this.store = store;
        this.publication = publication;
        this.replica = replica;
        this.interval = timing.interval().toMillis();
        this.windows = new MeteringWindows(interval);
        this.grace = timing.graceMillis();
        this.settleTimeout = timing.settleTimeoutMillis();
        this.publishEvery = timing.publishEvery().toMillis();
        this.lease = timing.lease();
        this.clock = clock;
        this.source = meter.source(MeterReading.Kind.COUNTER);
        this.openFrom = index(clock.millis());
        this.meters = meters;
        this.gapWindows = Counter.builder("tokenfactory.inference.node.energy.gaps")
            .description("metering windows this replica settled without a meter reading")
            .tag("node", node.name())
            .register(meters);
        this.lastReadAt = new AtomicLong(clock.millis());
        // a meter gone silent: the owner's age grows; another replica's grows since it
        // last owned the meter, so alerts take the smallest age per node
        Gauge
            .builder("tokenfactory.inference.node.energy.reading.age", lastReadAt,
                    last -> Math.max(0, clock.millis() - last.get()) / 1000.0)
            .description("seconds since this replica last read the node's energy meter")
            .baseUnit("seconds")
            .tag("node", node.name())
            .register(meters);
    }

    @Override
    public String node() {
        return node.name();
    }

    @Override
    public String nodeClass() {
        return node.nodeClass();
    }

    @Override
    public String device() {
        return meter.device();
    }

    @Override
    public EnergySource source() {
        return source;
    }

    boolean owner() {
        return owner;
    }

    String problem() {
        return problem;
    }

    @Override
    public Work start(boolean tokensVisible) {
        synchronized (this) {
            long now = clock.millis();
            Activity activity = new Activity(tokensVisible, now, Math.max(index(now), openFrom));
            active.add(activity);
            return activity;
        }
    }

    /**
     * Starts, or starts again after {@link #stop()} (a paused test context is stopped and
     * started).
     */
    synchronized void startTicking() {
        stopping = false;
        stopped = false;
        owner = false;
        readings.clear();
        lastGood = null;
        lastPowerReading = null;
        work.clear();
        openFrom = Math.max(openFrom, index(clock.millis()));
        ticker = new Thread(this::run, "node-energy-" + node.name());
        ticker.setDaemon(true);
        ticker.start();
    }

    /**
     * Closes the window in progress, settles what it can and hands the meter back; waits
     * until done.
     */
    void stop() {
        stopping = true;
        Thread thread;
        synchronized (this) {
            thread = ticker;
        }
        if (thread != null) {
            try {
                thread.join(interval + 3 * grace + 10_000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long current = index(clock.millis());
        try {
            while (true) {
                sleepUntil((current + 1) * interval);
                current = index(clock.millis());
                boolean last = stopping;
                closeAndReport(current);
                ownerReads(current);
                sleepUntil(current * interval + grace);
                if (owner) {
                    settleOwned(current);
                    publishIfDue(last);
                }
                sleepUntil(current * interval + 2 * grace);
                distribute(last);
                if (last) {
                    break;
                }
            }
        }
        catch (RuntimeException | Error unexpected) {
            log.error("Energy accounting of node {} stopped unexpectedly", node.name(), unexpected);
        }
        finally {
            finishLeftovers();
            if (owner) {
                try {
                    store.releaseLease(node.name(), replica);
                }
                catch (RuntimeException e) {
                    log.debug("Could not release the meter lease of {}: {}", node.name(), e.toString());
                }
            }
            stopped = true;
        }
    }

    /**
     * Every window that ended gets its work: told tokens, plus whole responses' tokens
     * spread at the node's rate.
     */
    private void closeAndReport(long current) {
        List<Closed> closed = new ArrayList<>();
        synchronized (this) {
            for (long window = openFrom; window < current; window++) {
                Map<Activity, Double> told = work.remove(window);
                Closed c = new Closed(window);
                for (Activity activity : active) {
                    if (activity.startIndex <= window && activity.endIndex >= window) {
                        double tokens = told == null ? 0 : told.getOrDefault(activity, 0.0);
                        if (!activity.visible) {
                            tokens += tokensPerSecond * overlapSeconds(activity, window);
                        }
                        c.add(activity, tokens);
                    }
                }
                if (!c.present.isEmpty()) {
                    closed.add(c);
                }
            }
            openFrom = Math.max(openFrom, current);
        }
        for (Closed c : closed) {
            try {
                c.reported = store.report(node.name(), start(c.index), replica, c.work, c.present.size());
                if (!c.reported) {
                    log.warn("Node {}: the work report of window {} came after it was settled; its {} requests get no "
                            + "energy for it (a gap)", node.name(), start(c.index), c.present.size());
                }
            }
            catch (RuntimeException e) {
                log.warn("Node {}: could not report window {} ({}); its requests get a gap for it", node.name(),
                        start(c.index), e.toString());
            }
            synchronized (this) {
                awaiting.put(c.index, c);
            }
        }
    }

    private void ownerReads(long current) {
        boolean holds;
        try {
            holds = store.holdLease(node.name(), replica, lease);
        }
        catch (RuntimeException e) {
            holds = false;
            log.debug("Node {}: meter lease not renewed: {}", node.name(), e.toString());
        }
        if (!holds) {
            if (owner) {
                log.info("Node {}: another replica reads the meter now", node.name());
            }
            owner = false;
            readings.clear();
            lastGood = null;
            lastPowerReading = null;
            return;
        }
        if (!owner) {
            becomeOwner(current);
        }
        MeterReading reading;
        try {
            reading = meter.read();
            if (problem != null) {
                log.info("Node {}: the meter answers again", node.name());
            }
            problem = null;
        }
        catch (MeterUnreadable e) {
            if (problem == null) {
                log.warn("Node {}: no meter reading ({}); its windows are gaps until it answers", node.name(),
                        e.getMessage());
            }
            problem = e.getMessage();
            return;
        }
        // from the reading before, whichever window it was in: a late tick must not
        // leave the power caps without a reading
        tellPower(lastPowerReading, reading);
        lastPowerReading = reading;
        readings.put(current, reading);
        lastReadAt.set(clock.millis());
        source = meter.source(reading.kind());
        if (lastGood != null && lastGoodIndex < current - 1) {
            Double joules;
            String note;
            try {
                joules = meter.between(lastGood, reading).joules();
                note = "no readings between " + lastGood.at() + " and " + reading.at();
            }
            catch (MeterUnreadable e) {
                joules = null;
                note = "no readings between " + lastGood.at() + " and " + reading.at() + "; energy unknown: "
                        + e.getMessage();
            }
            try {
                store.recordGap(node.name(), lastGood.at(), reading.at(), joules, note);
            }
            catch (RuntimeException e) {
                log.warn("Node {}: could not record the gap {} ({})", node.name(), note, e.toString());
            }
        }
        lastGood = reading;
        lastGoodIndex = current;
        if (meter.continuable()) {
            try {
                store.keepReading(node.name(), replica, reading);
            }
            catch (RuntimeException e) {
                log.debug("Node {}: could not keep the reading: {}", node.name(), e.toString());
            }
        }
    }

    EnergyMeter meter() {
        return meter;
    }

    /** Where the node's power between two readings goes (power caps); null: nowhere. */
    private volatile PowerReadings power;

    private MeterReading lastPowerReading;

    void tellPowerTo(PowerReadings readings) {
        this.power = readings;
    }

    private void tellPower(MeterReading previous, MeterReading reading) {
        PowerReadings target = power;
        if (target == null || previous == null) {
            return;
        }
        double seconds = java.time.Duration.between(previous.at(), reading.at()).toNanos() / 1e9;
        if (seconds <= 0) {
            return;
        }
        try {
            target.measured(node.name(), meter.between(previous, reading).joules() / seconds, reading.at());
        }
        catch (RuntimeException e) {
            log.debug("Node {}: no power between readings: {}", node.name(), e.toString());
        }
    }

    private void becomeOwner(long current) {
        owner = true;
        readings.clear();
        lastGood = null;
        lastPowerReading = null;
        nextToSettle = current - 1;
        nextPublish = clock.millis() + publishEvery;
        if (meter.continuable()) {
            try {
                lastGood = store.lastReading(node.name()).orElse(null);
            }
            catch (RuntimeException e) {
                log.debug("Node {}: no reading to continue from: {}", node.name(), e.toString());
            }
        }
        lastGoodIndex = Long.MIN_VALUE;
        if (lastGood != null && index(lastGood.at().toEpochMilli()) == current - 1) {
            // the predecessor read at the last boundary: that window continues from its
            // reading
            readings.put(current - 1, lastGood);
            lastGoodIndex = current - 1;
        }
        try {
            int orphans = store.settleOrphans(node.name(), start(current - 1), Duration.ofMillis(interval),
                    "no meter owner settled this window");
            if (orphans > 0) {
                log.warn("Node {}: {} windows before this replica took over the meter had no owner; they are gaps",
                        node.name(), orphans);
            }
        }
        catch (RuntimeException e) {
            log.warn("Node {}: could not settle the windows left by the previous meter owner: {}", node.name(),
                    e.toString());
        }
        log.info("Node {}: this replica ({}) reads its meter ({}, {})", node.name(), replica, meter.device(), source);
    }

    private void settleOwned(long current) {
        double acceleratorSeconds = interval / 1000.0 * meter.accelerators();
        for (long window = nextToSettle; window < current; window++) {
            MeterReading begin = readings.get(window);
            MeterReading end = readings.get(window + 1);
            boolean measured = false;
            double joules = 0;
            EnergySource windowSource = EnergySource.NONE;
            String note;
            if (begin != null && end != null) {
                try {
                    EnergyMeter.Delta delta = meter.between(begin, end);
                    joules = delta.joules();
                    note = delta.note();
                    measured = true;
                    windowSource = meter.source(end.kind());
                }
                catch (MeterUnreadable e) {
                    note = "garbage reading: " + e.getMessage();
                }
            }
            else {
                note = begin == null ? "no meter reading at the window's start"
                        : "no meter reading at the window's end" + (problem == null ? "" : ": " + problem);
            }
            try {
                store.settle(node.name(), start(window), start(window + 1), measured, joules, acceleratorSeconds,
                        windowSource, note);
            }
            catch (RuntimeException e) {
                log.warn("Node {}: could not settle window {} ({}); trying again next window", node.name(),
                        start(window), e.toString());
                return;
            }
            nextToSettle = window + 1;
            if (measured) {
                // tagged with the reading's own source: an exporter that lost its counter
                // is integrated power
                Counter.builder("tokenfactory.inference.node.energy.measured")
                    .baseUnit("joules")
                    .description("energy the node's meter measured in windows this replica settled as the meter owner")
                    .tag("node", node.name())
                    .tag("source", windowSource.name())
                    .register(meters)
                    .increment(joules);
            }
            else {
                gapWindows.increment();
            }
        }
        readings.headMap(current).clear();
    }

    private void publishIfDue(boolean last) {
        if (!last && clock.millis() < nextPublish) {
            return;
        }
        try {
            publication.publish(node.name(), node.nodeClass(), meter, start(nextToSettle));
            nextPublish = clock.millis() + publishEvery;
        }
        catch (RuntimeException e) {
            log.warn("Node {}: could not publish its power window ({}); will try again", node.name(), e.toString());
        }
    }

    /**
     * Gives this replica's requests their share of every settled window, in order, and
     * completes finished ones.
     */
    private void distribute(boolean last) {
        long first;
        long lastWindow;
        synchronized (this) {
            if (awaiting.isEmpty()) {
                return;
            }
            first = awaiting.firstKey();
            lastWindow = awaiting.lastKey();
        }
        Map<Instant, NodeWindowStore.Settlement> settled;
        try {
            settled = store.settlements(node.name(), start(first), start(lastWindow));
        }
        catch (RuntimeException e) {
            log.debug("Node {}: settlements not read: {}", node.name(), e.toString());
            settled = Map.of();
        }
        long now = clock.millis();
        List<Activity> done = new ArrayList<>();
        synchronized (this) {
            while (!awaiting.isEmpty()) {
                Closed c = awaiting.firstEntry().getValue();
                NodeWindowStore.Settlement settlement = settled.get(start(c.index));
                boolean overdue = last || now - start(c.index + 1).toEpochMilli() > settleTimeout;
                if (settlement == null && !overdue) {
                    break;
                }
                awaiting.pollFirstEntry();
                if (settlement == null) {
                    log.warn("Node {}: window {} was not settled in time (no meter owner?); its {} requests get a gap",
                            node.name(), start(c.index), c.present.size());
                }
                apply(c, c.reported ? settlement : null);
                for (Activity activity : c.present.keySet()) {
                    if (activity.endIndex <= c.index) {
                        active.remove(activity);
                        done.add(activity);
                    }
                }
            }
        }
        done.forEach(Activity::complete);
    }

    private void apply(Closed c, NodeWindowStore.Settlement settlement) {
        if (settlement == null) {
            c.present.keySet().forEach(activity -> activity.gapSeconds += overlapSeconds(activity, c.index));
            return;
        }
        double part = WindowShares.replicaPart(c.work, c.present.size(), settlement.work(), settlement.requests());
        for (var entry : c.present.entrySet()) {
            Activity activity = entry.getKey();
            double share = WindowShares.requestShare(part, entry.getValue(), c.work, c.present.size());
            activity.seconds += settlement.acceleratorSeconds() * share;
            if (settlement.measured()) {
                activity.joules += settlement.joules() * share;
                activity.source = settlement.source();
            }
            else {
                activity.gapSeconds += overlapSeconds(activity, c.index);
            }
        }
    }

    private void finishLeftovers() {
        List<Activity> left;
        synchronized (this) {
            for (Closed c : awaiting.values()) {
                apply(c, null);
            }
            awaiting.clear();
            left = new ArrayList<>(active);
            active.clear();
        }
        left.forEach(Activity::complete);
    }

    private double overlapSeconds(Activity activity, long window) {
        return windows.overlapSeconds(activity.startMillis, activity.endMillis, window);
    }

    private long index(long millis) {
        return windows.index(millis);
    }

    private Instant start(long window) {
        return windows.start(window);
    }

    private void sleepUntil(long millis) {
        long wait = millis - clock.millis();
        while (wait > 0) {
            try {
                Thread.sleep(wait);
            }
            catch (InterruptedException e) {
                // the ledger must still close its windows on the way out: shutdown is
                // told through stop()
                Thread.interrupted();
            }
            wait = millis - clock.millis();
        }
    }

    /**
     * One window as this replica closed it: the work of each of its requests in flight
     * then.
     */
    private static final class Closed {

        final long index;

        final Map<Activity, Double> present = new LinkedHashMap<>();

        double work;

        boolean reported;

        Closed(long index) {
            this.index = index;
        }

        void add(Activity activity, double tokens) {
            present.merge(activity, tokens, Double::sum);
            work += tokens;
        }

    }

    private final class Activity implements Work {

        final boolean visible;

        final long startMillis;

        final long startIndex;

        final CompletableFuture<MeasuredEnergy> energy = new CompletableFuture<>();

        // guarded by the ledger
        long endMillis = Long.MAX_VALUE;

        long endIndex = Long.MAX_VALUE;

        double joules;

        double seconds;

        double gapSeconds;

        // the source of its measured windows; NONE while it had none
        EnergySource source = EnergySource.NONE;

        Activity(boolean visible, long startMillis, long startIndex) {
            this.visible = visible;
            this.startMillis = startMillis;
            this.startIndex = startIndex;
        }

        @Override
        public void tokens(double count) {
            if (!(count > 0) || Double.isInfinite(count)) {
                return;
            }
            synchronized (NodeLedger.this) {
                long window = Math.max(index(clock.millis()), openFrom);
                work.computeIfAbsent(window, w -> new HashMap<>()).merge(this, count, Double::sum);
            }
        }

        @Override
        public CompletableFuture<MeasuredEnergy> finish(long producedTokens) {
            boolean alone;
            synchronized (NodeLedger.this) {
                if (endMillis == Long.MAX_VALUE) {
                    long now = Math.max(clock.millis(), startMillis);
                    endMillis = now;
                    endIndex = Math.max(index(now), openFrom);
                    if (!visible) {
                        tokensPerSecond = ObservedTokenRate.after(tokensPerSecond, producedTokens, now - startMillis);
                    }
                }
                alone = stopped;
            }
            if (alone) {
                // the ledger has stopped (shutdown): nothing will settle this request any
                // more
                synchronized (NodeLedger.this) {
                    active.remove(this);
                    gapSeconds += (endMillis - startMillis) / 1000.0;
                }
                complete();
            }
            return energy;
        }

        @Override
        public boolean withdraw() {
            synchronized (NodeLedger.this) {
                if (startIndex < openFrom || endMillis != Long.MAX_VALUE) {
                    return false;
                }
                active.remove(this);
                work.values().forEach(tokens -> tokens.remove(this));
                return true;
            }
        }

        void complete() {
            MeasuredEnergy measured;
            synchronized (NodeLedger.this) {
                measured = new MeasuredEnergy(joules, seconds, source, gapSeconds);
            }
            energy.complete(measured);
        }

    }

}
