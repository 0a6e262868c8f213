package io.tokenfactory.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import reactor.core.publisher.SignalType;

/**
 * What a forwarded inference request is settled to, and which requests reserve completion
 * tokens.
 */
class AdmissionFilterTests {

    @Test
    void aRequestIsSettledToTheUsageItsResponseReportedWhateverItsStatus() {
        assertThat(AdmissionFilter.actualTokens(1_000, OptionalLong.of(37), HttpStatus.OK, SignalType.ON_COMPLETE))
            .isEqualTo(37);
        assertThat(
                AdmissionFilter.actualTokens(1_000, OptionalLong.of(5), HttpStatus.BAD_REQUEST, SignalType.ON_COMPLETE))
            .isEqualTo(5);
        assertThat(AdmissionFilter.actualTokens(1_000, OptionalLong.of(1_500), HttpStatus.OK, SignalType.CANCEL))
            .isEqualTo(1_500);
    }

    @Test
    void aRefusedRequestThatReportedNothingUsedNothing() {
        assertThat(
                AdmissionFilter.actualTokens(1_000, OptionalLong.empty(), HttpStatus.NOT_FOUND, SignalType.ON_COMPLETE))
            .isZero();
        assertThat(AdmissionFilter.actualTokens(1_000, OptionalLong.empty(), HttpStatus.SERVICE_UNAVAILABLE,
                SignalType.ON_COMPLETE))
            .isZero();
    }

    @Test
    void withoutReportedUsageAnythingButACompletedRefusalKeepsTheWholeReservation() {
        // a cancelled stream, a broken connection, a success that reported nothing: err
        // on the side of the limit
        assertThat(AdmissionFilter.actualTokens(1_000, OptionalLong.empty(), HttpStatus.OK, SignalType.CANCEL))
            .isEqualTo(1_000);
        assertThat(
                AdmissionFilter.actualTokens(1_000, OptionalLong.empty(), HttpStatus.BAD_GATEWAY, SignalType.ON_ERROR))
            .isEqualTo(1_000);
        assertThat(AdmissionFilter.actualTokens(1_000, OptionalLong.empty(), HttpStatus.OK, SignalType.ON_COMPLETE))
            .isEqualTo(1_000);
        assertThat(AdmissionFilter.actualTokens(1_000, OptionalLong.empty(), null, SignalType.ON_COMPLETE))
            .isEqualTo(1_000);
    }

    @Test
    void onlyCompletionsReserveTokensForWhatTheyGenerate() {
        assertThat(AdmissionFilter.generates("/v1/chat/completions")).isTrue();
        assertThat(AdmissionFilter.generates("/v1/completions")).isTrue();
        assertThat(AdmissionFilter.generates("/v1/embeddings")).isFalse();
        assertThat(AdmissionFilter.generates("/v1/models")).isFalse();
    }

}
