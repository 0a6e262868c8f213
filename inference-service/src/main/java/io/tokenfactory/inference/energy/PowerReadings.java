package io.tokenfactory.inference.energy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

/**
 * The latest power each node drew, as its meter measured it between its two latest
 * readings (read by the replica that owns the node's meter). What power caps are held
 * against.
 */
@Component
public class PowerReadings {

    /** A node's power between two readings of its meter, at the later one. */
    public record Reading(double watts, Instant at) {
    }

    /** A reading older than this no longer says what a node draws. */
    static final java.time.Duration FRESH = java.time.Duration.ofSeconds(10);

    private final Map<String, Reading> latest = new ConcurrentHashMap<>();

    private final java.time.Clock clock;

    PowerReadings(java.time.Clock clock) {
        this.clock = clock;
    }

    private final List<java.util.function.Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    void measured(String node, double watts, Instant at) {
        if (!Double.isFinite(watts) || watts < 0) {
            return;
        }
        latest.put(node, new Reading(watts, at));
        listeners.forEach(listener -> listener.accept(node));
    }

    /**
     * The node's latest power; empty when this replica has not read the node's meter
     * within the last {@link #FRESH} (another replica owns it, or it went silent).
     */
    public Optional<Reading> latest(String node) {
        Reading reading = latest.get(node);
        if (reading == null || reading.at().isBefore(clock.instant().minus(FRESH))) {
            return Optional.empty();
        }
        return Optional.of(reading);
    }

    /**
     * Called with the node's name after every new reading, on the meter's thread: keep it
     * short.
     */
    public void onReading(java.util.function.Consumer<String> listener) {
        listeners.add(listener);
    }

}
