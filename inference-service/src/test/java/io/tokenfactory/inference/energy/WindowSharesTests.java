package io.tokenfactory.inference.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * A settled window split across replicas and their requests: by work, else by requests in
 * flight.
 */
class WindowSharesTests {

    @Test
    void replicasShareAWindowByTheWorkTheyReportedAndTheirRequestsByTheirOwnWork() {
        // replica A: requests of 20 and 10 tokens; replica B: one request of 10; the
        // window's reports sum to 40 and 3
        double partA = WindowShares.replicaPart(30, 2, 40, 3);
        double partB = WindowShares.replicaPart(10, 1, 40, 3);

        double[] shares = { WindowShares.requestShare(partA, 20, 30, 2), WindowShares.requestShare(partA, 10, 30, 2),
                WindowShares.requestShare(partB, 10, 10, 1) };

        assertThat(partA).isEqualTo(0.75);
        assertThat(partB).isEqualTo(0.25);
        assertThat(shares).containsExactly(new double[] { 0.5, 0.25, 0.25 }, within(1e-12));
        assertThat(shares[0] + shares[1] + shares[2]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void whenNobodyReportedWorkRequestsInFlightShareEvenly() {
        double partA = WindowShares.replicaPart(0, 3, 0, 4);
        double partB = WindowShares.replicaPart(0, 1, 0, 4);

        assertThat(partA).isEqualTo(0.75);
        assertThat(WindowShares.requestShare(partA, 0, 0, 3)).isEqualTo(0.25);
        assertThat(WindowShares.requestShare(partB, 0, 0, 1)).isEqualTo(0.25);
    }

    @Test
    void aReplicaThatDidNoWorkInAWindowOthersWorkedInGetsNothingOfIt() {
        double idleReplica = WindowShares.replicaPart(0, 2, 50, 5);

        assertThat(idleReplica).isZero();
        assertThat(WindowShares.requestShare(idleReplica, 0, 0, 2)).isZero();
    }

    @Test
    void aRequestThatToldNothingInAWindowItsReplicaWorkedInGetsNothingOfIt() {
        assertThat(WindowShares.requestShare(1.0, 0, 25, 2)).isZero();
        assertThat(WindowShares.requestShare(1.0, 25, 25, 2)).isEqualTo(1.0);
    }

    @Test
    void aWindowWithoutReportsGivesNobodyAnything() {
        assertThat(WindowShares.replicaPart(0, 0, 0, 0)).isZero();
    }

}
