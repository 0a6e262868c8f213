package io.tokenfactory.inference.power;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.NodeDeclarations;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.inference.energy.PowerReadings;
import io.tokenfactory.inference.fairshare.Priority;
import io.tokenfactory.inference.routing.Deployment;
import io.tokenfactory.inference.routing.Deployments;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.ServedRequestListener;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Holds the power caps. A request may go to a deployment only if its node, with one more
 * request running, keeps every cap that covers it (node, site, factory): the draw is each
 * node's latest measured power moved along its fitted power line by the requests started
 * or ended since ({@link NodePowerModel}). Batch work must also leave the cap's
 * {@code batch-reserve} free, so it is deferred first (429 at once); interactive work
 * waits for headroom up to {@code queue-timeout}, then gets 429.
 */
@Component
public class PowerGovernor implements ServedRequestListener {

    /**
     * The longest an admitted request counts as starting, should it never say it started
     * (a safety net: every path says so).
     */
    private static final long ADMISSION_NANOS = 5_000_000_000L;

    /** What is held against a cap now. */
    public enum State {

        NORMAL, DEFERRING_BATCH, QUEUEING

    }

    /** A scope's measured draw now; null when none of its nodes is read here. */
    public record Draw(PowerScope scope, @Nullable String name, @Nullable Double drawWatts) {
    }

    /** A cap with its draw and what is held. */
    public record CapState(PowerCap cap, @Nullable Double drawWatts, State state) {
    }

    private final PowerCaps caps;

    private final PowerReadings readings;

    private final NodeDeclarations declarations;

    private final Deployments deployments;

    private final double batchReserve;

    private final long queueTimeoutNanos;

    private final long retryAfterSeconds;

    private final MeterRegistry meters;

    private final Map<String, NodePowerModel> models = new ConcurrentHashMap<>();

    /**
     * Admitted requests that may not show as running yet, per node: their admission
     * times, until each says it holds its slot or row ({@link Admission#started}).
     */
    private final Map<String, Deque<Long>> starting = new LinkedHashMap<>();

    /**
     * The deployments a request may go to, in order; it counts as starting on the first
     * one's node until {@link #started()}: once it holds a slot there, or gave up.
     */
    public final class Admission {

        private final List<Deployment> deployments;

        private final @Nullable String node;

        private final @Nullable Long admittedAt;

        private boolean started;

        private Admission(List<Deployment> deployments, @Nullable String node, @Nullable Long admittedAt) {
            this.deployments = deployments;
            this.node = node;
            this.admittedAt = admittedAt;
        }

        public List<Deployment> deployments() {
            return deployments;
        }

        /** The request now counts where it runs (or will not run): idempotent. */
        public void started() {
            synchronized (PowerGovernor.this) {
                if (started || node == null) {
                    return;
                }
                started = true;
                Deque<Long> admitted = starting.get(node);
                if (admitted != null) {
                    admitted.remove(admittedAt);
                }
            }
        }

    }

    private final Map<String, Boolean> capGauges = new ConcurrentHashMap<>();

    private volatile int waitingInteractive;

    PowerGovernor(PowerCaps caps, PowerReadings readings, NodeDeclarations declarations, Deployments deployments,
            InferenceProperties properties, MeterRegistry meters) {
        this.caps = caps;
        this.readings = readings;
        this.declarations = declarations;
        this.deployments = deployments;
        this.batchReserve = properties.power().batchReserve();
        this.queueTimeoutNanos = properties.power().queueTimeout().toNanos();
        this.retryAfterSeconds = Math.max(1, properties.power().retryAfter().toSeconds());
        this.meters = meters;
        readings.onReading(this::reading);
        for (NodeDeclarations.Node node : declarations.all()) {
            Gauge.builder("tokenfactory.inference.power.draw", () -> measured(List.of(node.name())))
                .tag("scope", "node")
                .tag("name", node.name())
                .baseUnit("watts")
                .description("the power the nodes of a scope drew at their meters' latest readings")
                .register(meters);
        }
        declarations.all()
            .stream()
            .map(NodeDeclarations.Node::site)
            .filter(Objects::nonNull)
            .distinct()
            .forEach(site -> Gauge
                .builder("tokenfactory.inference.power.draw", () -> measured(nodesOf(PowerScope.SITE, site)))
                .tag("scope", "site")
                .tag("name", site)
                .baseUnit("watts")
                .description("the power the nodes of a scope drew at their meters' latest readings")
                .register(meters));
        Gauge.builder("tokenfactory.inference.power.draw", () -> measured(nodesOf(PowerScope.FACTORY, "factory")))
            .tag("scope", "factory")
            .tag("name", "factory")
            .baseUnit("watts")
            .description("the power the nodes of a scope drew at their meters' latest readings")
            .register(meters);
    }

    private void reading(String node) {
        int running = running(node);
        double load = loads.computeIfAbsent(node, name -> new LoadAverage()).takeAverage();
        readings.latest(node).ifPresent(reading -> {
            NodePowerModel model = models.computeIfAbsent(node, name -> new NodePowerModel());
            if (Double.isNaN(load)) {
                model.reading(reading.watts(), running);
            }
            else {
                model.reading(reading.watts(), load, running);
            }
        });
        wake();
    }

    /**
     * The requests a node ran on average since it was last asked, from samples every
     * {@link #LOAD_SAMPLE_MILLIS}: the load a meter reading's power belongs to. Without
     * it the line would be fitted to the load at the reading's instant, and under a
     * changing load it would learn too few watts per request.
     */
    private static final class LoadAverage {

        private double sum;

        private int samples;

        synchronized void sample(int running) {
            sum += running;
            samples++;
        }

        /** NaN when it was not sampled (no cap to hold). */
        synchronized double takeAverage() {
            double average = samples == 0 ? Double.NaN : sum / samples;
            sum = 0;
            samples = 0;
            return average;
        }

    }

    static final long LOAD_SAMPLE_MILLIS = 10;

    private final Map<String, LoadAverage> loads = new ConcurrentHashMap<>();

    private final java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors
        .newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "power-load-sampler");
            thread.setDaemon(true);
            return thread;
        });

    private final java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean();

    /** Samples the nodes' load from the first cap on: without caps nothing is held. */
    private void startSampling() {
        if (sampling.compareAndSet(false, true)) {
            sampler.scheduleAtFixedRate(this::sampleLoads, LOAD_SAMPLE_MILLIS, LOAD_SAMPLE_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private void sampleLoads() {
        try {
            if (caps.current().isEmpty()) {
                // nothing to hold: the readings' own ends stand for the load
                return;
            }
            for (NodeDeclarations.Node node : declarations.all()) {
                loads.computeIfAbsent(node.name(), name -> new LoadAverage()).sample(running(node.name()));
            }
        }
        catch (RuntimeException e) {
            // the next sample tries again
        }
    }

    @jakarta.annotation.PreDestroy
    void stopSampling() {
        sampler.shutdownNow();
    }

    @Override
    public void served(FinishedRequest request) {
        wake();
    }

    @Override
    public void settled(FinishedRequest request, MeasuredEnergy energy) {
        // energy changes nothing here
    }

    private void wake() {
        // on a meter's thread after every reading: it takes the lock only when someone
        // waits
        if (waitingInteractive > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * The deployments of {@code route} this request may go to now, in order.
     * @throws PowerCapReached when none may: at once for batch work, after waiting for
     * headroom for interactive work
     */
    public Admission admit(List<Deployment> route, Priority priority) {
        List<PowerCap> current = caps.current();
        if (current.isEmpty() || route.isEmpty()) {
            return new Admission(route, null, null);
        }
        startSampling();
        long deadline = System.nanoTime() + queueTimeoutNanos;
        synchronized (this) {
            boolean waited = false;
            try {
                while (true) {
                    List<Deployment> allowed = new ArrayList<>();
                    PowerCap binding = null;
                    for (Deployment deployment : route) {
                        PowerCap exceeded = exceeded(deployment.node(), priority, current);
                        if (exceeded == null) {
                            allowed.add(deployment);
                        }
                        else if (binding == null) {
                            binding = exceeded;
                        }
                    }
                    if (!allowed.isEmpty()) {
                        // a distinct value per admission, so each removes its own
                        Long admittedAt = Long.valueOf(System.nanoTime());
                        starting.computeIfAbsent(allowed.get(0).node(), node -> new ArrayDeque<>()).add(admittedAt);
                        return new Admission(allowed, allowed.get(0).node(), admittedAt);
                    }
                    long left = deadline - System.nanoTime();
                    if (priority == Priority.BATCH || left <= 0) {
                        count(priority, priority == Priority.BATCH ? "deferred" : "refused");
                        throw refusal(Objects.requireNonNull(binding), priority);
                    }
                    if (!waited) {
                        waited = true;
                        waitingInteractive++;
                        count(priority, "queued");
                    }
                    // woken by a reading or a finished request; looks again at least
                    // every 50 ms
                    wait(Math.max(1, Math.min(50, left / 1_000_000)));
                    current = caps.current();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PowerCapReached("interrupted while waiting for power headroom", retryAfterSeconds);
            }
            finally {
                if (waited) {
                    waitingInteractive--;
                }
            }
        }
    }

    private PowerCapReached refusal(PowerCap cap, Priority priority) {
        String message = priority == Priority.BATCH
                ? "The power cap of " + cap.describe() + " (" + watts(cap.watts()) + ") is near: batch work is "
                        + "deferred until the draw falls. Try again later."
                : "The power cap of " + cap.describe() + " (" + watts(cap.watts()) + ") is reached: no deployment "
                        + "of the model had headroom in time. Try again later.";
        return new PowerCapReached(message, retryAfterSeconds);
    }

    private static String watts(double watts) {
        return Math.round(watts) + " W";
    }

    private void count(Priority priority, String outcome) {
        Counter.builder("tokenfactory.inference.power.held")
            .tag("priority", priority.tag())
            .tag("outcome", outcome)
            .description("requests a power cap deferred (batch), queued or refused (interactive)")
            .register(meters)
            .increment();
    }

    /**
     * The first cap the node would break with one more request of this class; null if
     * none.
     */
    private @Nullable PowerCap exceeded(String node, Priority priority, List<PowerCap> current) {
        double share = priority == Priority.BATCH ? 1 - batchReserve : 1;
        String site = declarations.find(node).map(NodeDeclarations.Node::site).orElse(null);
        for (PowerCap cap : current) {
            boolean covers = switch (cap.scope()) {
                case FACTORY -> true;
                case SITE -> cap.name().equals(site);
                case NODE -> cap.name().equals(node);
            };
            if (!covers) {
                continue;
            }
            double draw = 0;
            for (String member : nodesOf(cap.scope(), cap.name())) {
                draw += predicted(member, member.equals(node) ? ONE_MORE : 0);
            }
            if (draw > cap.watts() * share) {
                return cap;
            }
        }
        NodePowerModel model = models.get(node);
        if (model != null && !model.knowsPerRequest() && coveredByAny(node, site, current)
                && running(node) + starting(node) > model.runningAtLastReading()) {
            // one more request per reading until the meter has shown what one draws
            return current.stream()
                .filter(cap -> cap.scope() == PowerScope.FACTORY || cap.name().equals(node) || cap.name().equals(site))
                .findFirst()
                .orElse(null);
        }
        return null;
    }

    private static boolean coveredByAny(String node, @Nullable String site, List<PowerCap> current) {
        return current.stream()
            .anyMatch(cap -> cap.scope() == PowerScope.FACTORY
                    || (cap.scope() == PowerScope.NODE && cap.name().equals(node))
                    || (cap.scope() == PowerScope.SITE && cap.name().equals(site)));
    }

    /**
     * What one more request is counted as: a quarter request of room for the meter's lag
     * and for the requests this service counts running a moment before and after the
     * engine does.
     */
    static final double ONE_MORE = 1.25;

    /** A node's draw with {@code extra} more requests; 0 for a node not read here. */
    private double predicted(String node, double extra) {
        NodePowerModel model = models.get(node);
        if (model == null || readings.latest(node).isEmpty()) {
            // not read here lately: this replica cannot hold it
            return 0;
        }
        double watts = model.predict(running(node) + starting(node) + extra);
        return Double.isNaN(watts) ? 0 : watts;
    }

    private synchronized int starting(String node) {
        Deque<Long> admitted = starting.get(node);
        if (admitted == null) {
            return 0;
        }
        long now = System.nanoTime();
        while (!admitted.isEmpty() && now - admitted.peekFirst() > ADMISSION_NANOS) {
            admitted.pollFirst();
        }
        return admitted.size();
    }

    private int running(String node) {
        int running = 0;
        for (Deployment deployment : deployments.all()) {
            if (deployment.node().equals(node)) {
                running += deployment.running();
            }
        }
        return running;
    }

    private List<String> nodesOf(PowerScope scope, String name) {
        List<String> nodes = new ArrayList<>();
        for (NodeDeclarations.Node node : declarations.all()) {
            if (scope == PowerScope.FACTORY || (scope == PowerScope.SITE && name.equals(node.site()))
                    || (scope == PowerScope.NODE && name.equals(node.name()))) {
                nodes.add(node.name());
            }
        }
        return nodes;
    }

    /** Measured watts of these nodes together; NaN when none is read here. */
    private double measured(List<String> nodes) {
        double sum = 0;
        boolean any = false;
        for (String node : nodes) {
            var reading = readings.latest(node);
            if (reading.isPresent()) {
                sum += reading.get().watts();
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    private @Nullable Double measuredOrNull(PowerScope scope, String name) {
        double watts = measured(nodesOf(scope, name));
        return Double.isNaN(watts) ? null : watts;
    }

    /** The measured draw of the factory, of every site and of every node. */
    public List<Draw> draws() {
        List<Draw> draws = new ArrayList<>();
        draws.add(new Draw(PowerScope.FACTORY, null, measuredOrNull(PowerScope.FACTORY, "factory")));
        declarations.all()
            .stream()
            .map(NodeDeclarations.Node::site)
            .filter(Objects::nonNull)
            .distinct()
            .forEach(site -> draws.add(new Draw(PowerScope.SITE, site, measuredOrNull(PowerScope.SITE, site))));
        declarations.all()
            .forEach(node -> draws
                .add(new Draw(PowerScope.NODE, node.name(), measuredOrNull(PowerScope.NODE, node.name()))));
        return draws;
    }

    /** Every cap, its measured draw, and what is held against it now. */
    public List<CapState> states() {
        List<CapState> states = new ArrayList<>();
        for (PowerCap cap : caps.current()) {
            registerCapGauge(cap);
            List<String> nodes = nodesOf(cap.scope(), cap.name());
            double predicted = 0;
            for (String node : nodes) {
                predicted += predicted(node, 0);
            }
            State state;
            synchronized (this) {
                state = waitingInteractive > 0 || predicted >= cap.watts() ? State.QUEUEING
                        : predicted >= cap.watts() * (1 - batchReserve) ? State.DEFERRING_BATCH : State.NORMAL;
            }
            states.add(new CapState(cap, measuredOrNull(cap.scope(), cap.name()), state));
        }
        return states;
    }

    public double batchReserve() {
        return batchReserve;
    }

    /**
     * The cap a scope's name names: its gauge reads the cap while it is set, else
     * nothing.
     */
    private void registerCapGauge(PowerCap cap) {
        String key = cap.scope().tag() + "/" + cap.name();
        if (capGauges.putIfAbsent(key, Boolean.TRUE) == null) {
            Gauge
                .builder("tokenfactory.inference.power.cap",
                        () -> caps.current()
                            .stream()
                            .filter(c -> c.scope() == cap.scope() && c.name().equals(cap.name()))
                            .mapToDouble(PowerCap::watts)
                            .findFirst()
                            .orElse(Double.NaN))
                .tag("scope", cap.scope().tag())
                .tag("name", cap.name())
                .baseUnit("watts")
                .description("the power cap an administrator set")
                .register(meters);
        }
    }

    /** Registers the gauges of caps that exist at start-up. */
    @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
    void registerGauges() {
        try {
            List<PowerCap> current = caps.current();
            current.forEach(this::registerCapGauge);
            if (!current.isEmpty()) {
                startSampling();
            }
        }
        catch (RuntimeException e) {
            // registered when the caps are next read
        }
    }

    /**
     * After a cap changed here: gauges exist for every cap, and waiting requests look
     * again.
     */
    void changed() {
        List<PowerCap> current = caps.current();
        current.forEach(this::registerCapGauge);
        if (!current.isEmpty()) {
            startSampling();
        }
        wake();
    }

}
