package io.tokenfactory.agents.definition;

import static io.tokenfactory.agents.definition.AgentState.ACTIVE;
import static io.tokenfactory.agents.definition.AgentState.DRAFT;
import static io.tokenfactory.agents.definition.AgentState.PAUSED;
import static io.tokenfactory.agents.definition.AgentState.RETIRED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class AgentStateTests {

    @Test
    void aDraftIsActivatedOrRetired() {
        assertThat(allowedFrom(DRAFT)).containsExactlyInAnyOrder(ACTIVE, RETIRED);
    }

    @Test
    void activeAndPausedSwapAndEitherRetires() {
        assertThat(allowedFrom(ACTIVE)).containsExactlyInAnyOrder(PAUSED, RETIRED);
        assertThat(allowedFrom(PAUSED)).containsExactlyInAnyOrder(ACTIVE, RETIRED);
    }

    @Test
    void retiredIsTerminalAndNoStateBecomesItself() {
        assertThat(allowedFrom(RETIRED)).isEmpty();
        for (AgentState state : AgentState.values()) {
            assertThat(state.mayBecome(state)).as(state.name()).isFalse();
        }
    }

    @Test
    void nothingReturnsToDraft() {
        assertThat(Arrays.stream(AgentState.values()).filter(state -> state.mayBecome(DRAFT))).isEmpty();
    }

    private static AgentState[] allowedFrom(AgentState from) {
        return Arrays.stream(AgentState.values()).filter(from::mayBecome).toArray(AgentState[]::new);
    }

}
