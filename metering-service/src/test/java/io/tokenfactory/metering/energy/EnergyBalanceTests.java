package io.tokenfactory.metering.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Where a node's measured joules went: direct, idle allocated, idle unallocated, idle
 * pending (not yet allocated) — and what is left, unattributed (busy energy no request
 * was metered for).
 */
class EnergyBalanceTests {

    @Test
    void idleNotYetAllocatedOrUnallocatedIsPending() {
        EnergyBalance.NodeBalance node = balance("1000", "600", "550", "400", "250", "50");

        assertThat(node.pendingIdleJoules()).isEqualByComparingTo("100");
    }

    @Test
    void measuredEnergyNotDirectAllocatedUnallocatedOrPendingIsUnattributed() {
        // 1 000 measured = 550 direct + 250 allocated + 50 unallocated + 100 pending + 50
        // unattributed
        EnergyBalance.NodeBalance node = balance("1000", "600", "550", "400", "250", "50");

        assertThat(node.unattributedJoules()).isEqualByComparingTo("50");
        assertThat(node.node()).isEqualTo("node-a");
        assertThat(node.facilityOverheadJoules()).isEqualByComparingTo("100");
    }

    @Test
    void aFullyAccountedNodeHasNothingUnattributed() {
        EnergyBalance.NodeBalance node = balance("1000", "600", "600", "400", "400", "0");

        assertThat(node.pendingIdleJoules()).isZero();
        assertThat(node.unattributedJoules()).isZero();
    }

    @Test
    void theTotalAddsUpEveryNodeAndWorksOutItsOwnRemainders() {
        EnergyBalance.NodeBalance total = EnergyBalance.total(
                List.of(balance("1000", "600", "550", "400", "250", "50"), balance("10", "0", "0", "10", "0", "10")));

        assertThat(total.node()).isNull();
        assertThat(total.measuredJoules()).isEqualByComparingTo("1010");
        assertThat(total.directJoules()).isEqualByComparingTo("550");
        assertThat(total.idleJoules()).isEqualByComparingTo("410");
        assertThat(total.unallocatedIdleJoules()).isEqualByComparingTo("60");
        assertThat(total.pendingIdleJoules()).isEqualByComparingTo("100");
        assertThat(total.unattributedJoules()).isEqualByComparingTo("50");
        assertThat(total.facilityOverheadJoules()).isEqualByComparingTo("200");
        assertThat(total.acceleratorSeconds()).isEqualByComparingTo("7200");
        assertThat(total.gapSeconds()).isEqualByComparingTo("10");
    }

    @Test
    void theTotalOfNoNodesIsZero() {
        EnergyBalance.NodeBalance total = EnergyBalance.total(List.of());

        assertThat(total.measuredJoules()).isZero();
        assertThat(total.unattributedJoules()).isZero();
    }

    private static EnergyBalance.NodeBalance balance(String measured, String busy, String direct, String idle,
            String allocated, String unallocated) {
        return EnergyBalance.balance("node-a", "DCGM", "h100", new BigDecimal(measured), new BigDecimal(busy),
                new BigDecimal(direct), new BigDecimal(idle), new BigDecimal(allocated), new BigDecimal(unallocated),
                new BigDecimal("100"), new BigDecimal[] { new BigDecimal("3600"), new BigDecimal("1800"),
                        new BigDecimal("1800"), new BigDecimal("900"), new BigDecimal("5") });
    }

}
