package io.tokenfactory.metering.reconciliation.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.time.Instant;

import io.tokenfactory.metering.reconciliation.ReconciliationService;
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
 * Reconciliation asks the other services with the caller's own token, over the window
 * asked for.
 */
@MeteringWebSlice
class ReconciliationControllerTests {

    @Autowired
    MockMvcTester mvc;

    @Autowired
    ReconciliationService reconciliation;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void tokens() {
        tokens = new MockedIdentityTokens(decoder);
    }

    @Test
    void theCallersTokenIsPassedOnWithTheWindow() {
        String admin = tokens.admin();

        assertThat(mvc.get()
            .uri("/api/metering/reconciliation?from=2026-11-01T00:00:00Z&to=2026-11-01T06:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, admin)).hasStatusOk();

        then(reconciliation).should()
            .reconcile(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-01T06:00:00Z"), admin);
    }

    @Test
    void aBadWindowIsAProblemThatNamesTheParameter() {
        assertThat(mvc.get()
            .uri("/api/metering/reconciliation?from=' OR '1'='1")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("from must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        then(reconciliation).should(never()).reconcile(any(), any(), anyString());
    }

}
