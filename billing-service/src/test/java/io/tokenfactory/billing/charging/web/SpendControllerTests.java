package io.tokenfactory.billing.charging.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.UUID;

import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.billing.charging.DepartmentSpend;
import io.tokenfactory.billing.security.BillingWebSlice;
import io.tokenfactory.testsupport.MockedIdentityTokens;
import io.tokenfactory.contracts.BudgetState;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * A department's spend in a month: this month unless asked, its own department only
 * unless an administrator.
 */
@BillingWebSlice
class SpendControllerTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Autowired
    MockMvcTester mvc;

    @Autowired
    DepartmentSpend spend;

    @Autowired
    BillingPeriods periods;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void answerWithNothingSpent() {
        tokens = new MockedIdentityTokens(decoder);
        given(periods.currentPeriod()).willReturn(YearMonth.of(2026, 11));
        given(spend.of(any(), any())).willAnswer(call -> new DepartmentSpend.Report(call.getArgument(0),
                call.getArgument(1).toString(), "EUR", BigDecimal.ZERO, BigDecimal.ZERO, null, null, false,
                BudgetState.OK, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, "run-rate"));
    }

    @Test
    void withoutAPeriodADepartmentReadsItsSpendOfThisMonth() {
        assertThat(mvc.get()
            .uri("/api/billing/departments/" + RESEARCH + "/spend")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read"))).hasStatusOk()
            .bodyJson()
            .extractingPath("$.period")
            .isEqualTo("2026-11");
        assertThat(mvc.get()
            .uri("/api/billing/departments/" + RESEARCH + "/spend?period=")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        then(spend).should(org.mockito.Mockito.times(2)).of(RESEARCH, YearMonth.of(2026, 11));
    }

    @Test
    void anAdministratorReadsAnyMonth() {
        assertThat(mvc.get()
            .uri("/api/billing/departments/" + RESEARCH + "/spend?period=2025-02")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        then(spend).should().of(RESEARCH, YearMonth.of(2025, 2));
    }

    @Test
    void aPeriodMustBeAMonthWrittenYearDashMonth() {
        for (String period : new String[] { "November", "2026-13", "2026-1", "26-11", "2026-11-01" }) {
            assertThat(mvc.get()
                .uri("/api/billing/departments/" + RESEARCH + "/spend?period=" + period)
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())).as(period)
                .hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.detail")
                .isEqualTo("period must be a month such as 2026-11");
        }
        then(spend).should(never()).of(any(), any());
    }

    @Test
    void aDepartmentIdInThePathIsReadAsSpringReadsUuidsSpacesAroundItAllowed() {
        assertThat(mvc.get()
            .uri("/api/billing/departments/ " + RESEARCH + " /spend")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        then(spend).should().of(RESEARCH, YearMonth.of(2026, 11));
    }

    @Test
    void anotherDepartmentsSpendIsForbiddenAndABadIdIsAProblem() {
        assertThat(mvc.get()
            .uri("/api/billing/departments/" + UUID.randomUUID() + "/spend")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read")))
            .hasStatus(HttpStatus.FORBIDDEN);
        assertThat(mvc.get()
            .uri("/api/billing/departments/research/spend")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("'id' has an invalid value");
        then(spend).should(never()).of(any(), any());
    }

}
