package io.tokenfactory.metering.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.ParameterReader;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.problem.RefusedParameter;

import org.junit.jupiter.api.Test;

/**
 * A read's window ends now and starts a day earlier unless given, runs forwards, and
 * spans at most 400 days.
 */
class RequestParametersTests {

    private static final Instant NOW = Instant.parse("2026-11-20T09:30:00Z");

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void withoutBoundsTheWindowIsTheLastDay() {
        assertThat(RequestParameters.window(null, null, CLOCK))
            .isEqualTo(new RequestParameters.Window(NOW.minus(Duration.ofDays(1)), NOW));
        Instant to = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(RequestParameters.window(null, to, CLOCK).from()).isEqualTo(Instant.parse("2025-12-31T00:00:00Z"));
        // a start after now with no end ends now: refused
        assertThatThrownBy(() -> RequestParameters.window(NOW.plusSeconds(1), null, CLOCK))
            .hasMessage("from must be before to");
    }

    @Test
    void aWindowMayLastFourHundredDaysAndNoLonger() {
        Instant from = Instant.parse("2025-01-01T00:00:00Z");

        assertThat(RequestParameters.window(from, from.plus(Duration.ofDays(400)), CLOCK).to())
            .isEqualTo(from.plus(Duration.ofDays(400)));
        assertThatThrownBy(() -> RequestParameters.window(from, from.plus(Duration.ofDays(400)).plusNanos(1), CLOCK))
            .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                assertThat(problem.code()).isEqualTo("invalid_parameter");
                assertThat(problem.getMessage()).isEqualTo("the window is longer than 400 days");
            });
    }

    @Test
    void anOptionIsReadByItsNameInAnyCaseAndBlankIsTheDefault() {
        assertThat(RequestParameters.option("energySource", " dcgm_power ", EnergySource.class, null))
            .isEqualTo(EnergySource.DCGM_POWER);
        assertThat(RequestParameters.option("energySource", " ", EnergySource.class, EnergySource.NONE))
            .isEqualTo(EnergySource.NONE);
        assertThatThrownBy(() -> RequestParameters.option("energySource", "dcgm-power", EnergySource.class, null))
            .hasMessage("energySource must be one of [nvml, dcgm, dcgm_power, kepler, rapl, reported, estimated, "
                    + "none]");
    }

    @Test
    void aReaderTakesBlankForAbsentAndRefusesWithTheProblemForTheParametersName() {
        ParameterReader<Instant> reader = new ParameterReader<>(QueryParameters::instant);

        reader.setAsText(" ");
        assertThat(reader.getValue()).isNull();
        reader.setAsText("2026-11-20T00:00:00Z");
        assertThat(reader.getValue()).isEqualTo(Instant.parse("2026-11-20T00:00:00Z"));
        assertThatThrownBy(() -> reader.setAsText("tomorrow")).isInstanceOfSatisfying(RefusedParameter.class,
                refused -> assertThat(refused.problemFor("until").getMessage())
                    .isEqualTo("until must be an ISO-8601 instant such as 2026-11-27T10:00:00Z"));
    }

}
