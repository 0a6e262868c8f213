package io.tokenfactory.agents.definition;

import java.util.Map;
import java.util.Set;

/**
 * DRAFT → ACTIVE ⇄ PAUSED → RETIRED (terminal); RETIRED is reachable from every other
 * state.
 */
public enum AgentState {

    DRAFT, ACTIVE, PAUSED, RETIRED;

    private static final Map<AgentState, Set<AgentState>> NEXT = Map.of(DRAFT, Set.of(ACTIVE, RETIRED), ACTIVE,
            Set.of(PAUSED, RETIRED), PAUSED, Set.of(ACTIVE, RETIRED), RETIRED, Set.of());

    public boolean mayBecome(AgentState next) {
        return NEXT.get(this).contains(next);
    }

}
