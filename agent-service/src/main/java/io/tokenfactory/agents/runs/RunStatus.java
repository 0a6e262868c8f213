package io.tokenfactory.agents.runs;

/**
 * Where a run is: QUEUED → RUNNING → one of the ended statuses (a queued run may also end
 * CANCELLED). Stored by name in {@code agent_run.status}.
 */
public enum RunStatus {

    QUEUED, RUNNING, SUCCEEDED, LIMIT_REACHED, CANCELLED, INFERENCE_UNAVAILABLE, FAILED, TIMED_OUT, ORPHANED;

    /** Still to finish: queued or running. */
    boolean isOpen() {
        return this == QUEUED || this == RUNNING;
    }

    /**
     * The agent's own failure: counts towards pausing it; an unavailable model or a
     * cancellation does not.
     */
    boolean isFailure() {
        return this == FAILED || this == TIMED_OUT || this == ORPHANED;
    }

}
