package io.tokenfactory.system.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.tokenfactory.system.soak.FaultInjector.Injected;

import org.junit.jupiter.api.Test;

/**
 * The soak, shortened for the test suite: every fault once under load, then the books of
 * inference, metering and billing must agree to the token and the joule.
 * {@code bench/soak.sh} runs the long one with the same code.
 */
class SoakSystemTests {

    @Test
    void everyTokenServedUnderFaultsIsMeteredAndBilledExactlyOnce() throws Exception {
        Soak.Result result = Soak.run(SoakSettings.fromSystemProperties(), Path.of("..").toAbsolutePath().normalize());
        System.out.println(result.report());

        assertThat(result.injected()).extracting(Injected::fault)
            .containsAll(
                    java.util.Arrays.stream(Fault.values()).filter(f -> !result.unavailable().contains(f)).toList());
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
