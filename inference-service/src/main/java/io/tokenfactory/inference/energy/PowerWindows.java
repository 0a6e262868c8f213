package io.tokenfactory.inference.energy;

import java.time.Duration;

import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a power window every interval and records it (a {@code power-sampled} event through the outbox). */
public class PowerWindows extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(PowerWindows.class);

    private final EnergyLedger ledger;
    private final PowerWindowRecording recording;

    PowerWindows(EnergyLedger ledger, PowerWindowRecording recording, Duration interval) {
        super("power-windows", interval);
        this.ledger = ledger;
        this.recording = recording;
    }

    @Override
    protected void runOnce() {
        closeWindow();
    }

    /** Closes the current window now; also called on shutdown so the last partial window is not lost. */
    public synchronized void closeWindow() {
        EnergyLedger.Window window = ledger.closeWindow();
        try {
            recording.record(window);
        } catch (RuntimeException e) {
            // the window's energy is kept in the ledger's totals only if recorded; log loudly, a gap is visible
            log.error("Could not record power window {} - {} ({} J)", window.start(), window.end(),
                    window.measuredJoules(), e);
        }
    }

    @Override
    public synchronized void stop() {
        super.stop();
        closeWindow();
    }
}
