package io.tokenfactory.metering.energy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.metering.energy.EnergyBalance;
import io.tokenfactory.testsupport.MockedIdentityTokens;
import io.tokenfactory.metering.security.MeteringWebSlice;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The energy balance is for administrators, over a window of at most 400 days ending now
 * unless told otherwise.
 */
@MeteringWebSlice
class EnergyControllerTests {

    @Autowired
    MockMvcTester mvc;

    @Autowired
    EnergyBalance balance;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void tokens() {
        tokens = new MockedIdentityTokens(decoder);
    }

    @Test
    void theWindowEndsNowAndStartsADayEarlierUnlessGiven() {
        assertThat(mvc.get().uri("/api/metering/energy").header(HttpHeaders.AUTHORIZATION, tokens.admin()))
            .hasStatusOk();
        assertThat(mvc.get()
            .uri("/api/metering/energy?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        then(balance).should().between(MeteringWebSlice.NOW.minus(Duration.ofDays(1)), MeteringWebSlice.NOW);
        then(balance).should().between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"));
    }

    @Test
    void aBadWindowIsAProblemThatSaysWhy() {
        assertThat(mvc.get()
            .uri("/api/metering/energy?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("from must be before to");
        assertThat(mvc.get()
            .uri("/api/metering/energy?to=9999-12-31T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("to must lie between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z");
        then(balance).should(never()).between(any(), any());
    }

    @Test
    void aDepartmentKeyMayNotReadIt() {
        assertThat(mvc.get()
            .uri("/api/metering/energy")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(UUID.randomUUID(), "usage:read")))
            .hasStatus(HttpStatus.FORBIDDEN)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("forbidden");
    }

}
