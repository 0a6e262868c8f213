package io.tokenfactory.agents.definition;

/**
 * Why an agent is in its state: what a resume must respect (budget pauses lift only with
 * the budget).
 */
public enum StateReason {

    CREATED, MANUAL, FAILURES, BUDGET, INFERENCE_UNAVAILABLE;

    public String code() {
        return name().toLowerCase();
    }

}
