package io.tokenfactory.system.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.tokenfactory.system.soak.FaultInjector.Injected;

import org.junit.jupiter.api.Test;

/**
 * The soak, shortened for the test suite: every fault once under load (on RabbitMQ; the
 * Kafka execution runs a selection on Kafka), then the books of inference, metering and
 * billing must agree to the token and the joule with each other and with what the clients
 * received. {@code bench/soak.sh} runs the long one with the same code.
 */
class SoakSystemTests {

    @Test
    void everyTokenServedUnderFaultsIsMeteredAndBilledExactlyOnce() throws Exception {
        SoakSettings settings = SoakSettings.fromSystemProperties();
        Soak.Result result = Soak.run(settings, Path.of("..").toAbsolutePath().normalize());
        System.out.println(result.report());

        assertThat(result.injected()).extracting(Injected::fault)
            .containsAll(settings.faults().stream().filter(f -> !result.unavailable().containsKey(f)).toList());
        assertThat(result.injected()).allSatisfy(fault -> assertThat(fault.recovery())
            .as("%s (%s): usage charged again after the fault", fault.fault(), fault.detail())
            .isNotNull());
        assertThat(result.settled()).as("the suite settled after the load stopped").isTrue();
        assertThat(result.reconciliation().checks).isNotEmpty()
            .allSatisfy(check -> assertThat(check.holds())
                .as("%s: expected %s, found %s", check.name(), check.expected(), check.actual())
                .isTrue());
    }

}
