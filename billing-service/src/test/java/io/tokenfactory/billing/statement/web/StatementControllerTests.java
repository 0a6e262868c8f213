package io.tokenfactory.billing.statement.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.security.BillingWebSlice;
import io.tokenfactory.testsupport.MockedIdentityTokens;
import io.tokenfactory.billing.statement.PeriodClose;
import io.tokenfactory.billing.statement.Statements;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * Statements: listed by month and department, a department sees its own; months are
 * closed by administrators.
 */
@BillingWebSlice
class StatementControllerTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Autowired
    MockMvcTester mvc;

    @Autowired
    Statements statements;

    @Autowired
    PeriodClose close;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void tokens() {
        tokens = new MockedIdentityTokens(decoder);
        given(statements.list(any(), any())).willReturn(List.of());
    }

    @Test
    void anAdministratorListsAnyMonthAndDepartmentOrAll() {
        assertThat(mvc.get()
            .uri("/api/billing/statements?period=2026-10&department=" + RESEARCH)
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();
        assertThat(mvc.get()
            .uri("/api/billing/statements?period=&department=")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        then(statements).should().list(YearMonth.of(2026, 10), RESEARCH);
        then(statements).should().list(null, null);
    }

    @Test
    void aDepartmentListsItsOwnStatementsOnly() {
        assertThat(mvc.get()
            .uri("/api/billing/statements")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read"))).hasStatusOk();
        then(statements).should().list(null, RESEARCH);

        assertThat(mvc.get()
            .uri("/api/billing/statements?department=" + UUID.randomUUID())
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read")))
            .hasStatus(HttpStatus.FORBIDDEN);
    }

    @Test
    void badParametersAreProblemsThatNameThem() {
        assertThat(mvc.get()
            .uri("/api/billing/statements?period=' OR '1'='1")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("period must be a month such as 2026-11");
        assertThat(mvc.get()
            .uri("/api/billing/statements?department=finance")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("department must be a UUID");
        assertThat(mvc.post().uri("/api/billing/periods/March/close").header(HttpHeaders.AUTHORIZATION, tokens.admin()))
            .hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("period must be a month such as 2026-11");
        then(statements).should(never()).list(any(), any());
        then(close).should(never()).close(any());
    }

    @Test
    void onlyAnAdministratorClosesAMonth() {
        given(close.close(YearMonth.of(2026, 10))).willReturn(
                new PeriodClose.Closed("2026-10", 2, new BigDecimal("12.34"), Instant.parse("2026-11-04T00:00:00Z")));

        assertThat(
                mvc.post().uri("/api/billing/periods/2026-10/close").header(HttpHeaders.AUTHORIZATION, tokens.admin()))
            .hasStatusOk()
            .bodyJson()
            .extractingPath("$.totalCharge")
            .isEqualTo(12.34);
        assertThat(mvc.post()
            .uri("/api/billing/periods/2026-10/close")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read")))
            .hasStatus(HttpStatus.FORBIDDEN);
    }

}
