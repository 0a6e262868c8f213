package io.tokenfactory.inference.energy;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.tokenfactory.contracts.EnergySource;

/**
 * Assigns every joule the meter reports to exactly one place. Whenever a step of work begins or ends (on any model
 * of this instance), the meter is read and the energy since the previous reading is split across the requests of
 * the steps running at that moment, in proportion to the tokens each processes in its step; energy read while no
 * step runs is idle energy. So, over any window, requests' energy + idle energy = measured energy, by construction.
 * Device time is shared the same way (accelerator-seconds).
 */
public final class EnergyLedger {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EnergyLedger.class);

    /** A request that receives energy; called under the ledger's lock, so it must only add numbers. */
    public interface Consumer {
        void addEnergy(double joules, double deviceSeconds);
    }

    /** One step of work: its requests and the tokens each processes in it. */
    public static final class Step {
        private final List<Consumer> consumers;
        private final double[] tokens;
        private final double totalTokens;

        private Step(List<Consumer> consumers, double[] tokens) {
            this.consumers = consumers;
            this.tokens = tokens;
            double total = 0;
            for (double t : tokens) {
                total += t;
            }
            this.totalTokens = total;
        }
    }

    /** One closed accounting window. */
    public record Window(Instant start, Instant end, double measuredJoules, double busyJoules, EnergySource source,
            String device, String deviceKind) {

        public double idleJoules() {
            return measuredJoules - busyJoules;
        }
    }

    private final PowerMeter meter;
    private final Clock clock;
    private final Set<Step> running = new LinkedHashSet<>();
    private double lastReading;
    private long lastNanos;
    private Instant windowStart;
    private double windowMeasured;
    private double windowBusy;

    public EnergyLedger(PowerMeter meter, Clock clock) {
        this.meter = meter;
        this.clock = clock;
        this.lastReading = meter.joules();
        this.lastNanos = System.nanoTime();
        this.windowStart = clock.instant();
    }

    public EnergySource source() {
        return meter.source();
    }

    public String device() {
        return meter.device();
    }

    public synchronized Step begin(List<? extends Consumer> consumers, double[] tokens) {
        if (consumers.size() != tokens.length) {
            throw new IllegalArgumentException("one token count per consumer");
        }
        settle();
        Step step = new Step(new ArrayList<>(consumers), tokens.clone());
        running.add(step);
        return step;
    }

    public synchronized void end(Step step) {
        try {
            settle();
        } finally {
            running.remove(step);
        }
    }

    /** Closes the current window at now and opens the next; steps running across the boundary are split at it. */
    public synchronized Window closeWindow() {
        settle();
        Instant end = clock.instant();
        Window window = new Window(windowStart, end, windowMeasured, windowBusy, meter.source(), meter.device(),
                meter.deviceKind());
        windowStart = end;
        windowMeasured = 0;
        windowBusy = 0;
        return window;
    }

    private void settle() {
        double reading;
        try {
            reading = meter.joules();
        } catch (RuntimeException unreadable) {
            // nothing is assigned now; the energy shows up in the next successful reading
            log.warn("Power meter {} could not be read: {}", meter.source(), unreadable.toString());
            return;
        }
        long nanos = System.nanoTime();
        double joules = Math.max(0, reading - lastReading);
        double seconds = Math.max(0, (nanos - lastNanos) / 1e9);
        lastReading = Math.max(lastReading, reading);
        lastNanos = nanos;
        windowMeasured += joules;
        double totalTokens = 0;
        for (Step step : running) {
            totalTokens += step.totalTokens;
        }
        if (totalTokens <= 0) {
            return;
        }
        windowBusy += joules;
        for (Step step : running) {
            for (int i = 0; i < step.tokens.length; i++) {
                double share = step.tokens[i] / totalTokens;
                step.consumers.get(i).addEnergy(joules * share, seconds * share);
            }
        }
    }
}
