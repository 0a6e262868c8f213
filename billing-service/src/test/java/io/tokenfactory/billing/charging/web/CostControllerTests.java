package io.tokenfactory.billing.charging.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.tokenfactory.billing.charging.BilledUsage;
import io.tokenfactory.billing.charging.CostPerToken;
import io.tokenfactory.billing.charging.CostPerToken.Dimension;
import io.tokenfactory.billing.security.BillingWebSlice;
import io.tokenfactory.testsupport.MockedIdentityTokens;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * Cost per token and the billed usage summary read a window [from, to) and, for cost per
 * token, a grouping and a department; each bad parameter is a 400 problem that names it.
 */
@BillingWebSlice
class CostControllerTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static final String WINDOW = "from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z";

    @Autowired
    MockMvcTester mvc;

    @Autowired
    CostPerToken costPerToken;

    @Autowired
    BilledUsage billedUsage;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void answerWithNoRows() {
        tokens = new MockedIdentityTokens(decoder);
        given(costPerToken.between(any(), any(), anyList(), any()))
            .willAnswer(call -> new CostPerToken.Report(call.getArgument(0), call.getArgument(1), "EUR",
                    call.getArgument(2), List.of()));
        given(billedUsage.between(any(), any())).willReturn(new BilledUsage.Billed(List.of(), List.of()));
    }

    @Test
    void anAdministratorReadsAnyDepartmentGroupedAsAsked() {
        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?" + WINDOW + "&groupBy=energySource,MODEL&department=" + RESEARCH)
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk()
            .bodyJson()
            .extractingPath("$.currency")
            .isEqualTo("EUR");

        then(costPerToken).should()
            .between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"),
                    List.of(Dimension.ENERGY_SOURCE, Dimension.MODEL), RESEARCH);
    }

    @Test
    void aDepartmentReadsItsOwnCostsOnly() {
        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?" + WINDOW)
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read"))).hasStatusOk();
        then(costPerToken).should().between(any(), any(), anyList(), org.mockito.ArgumentMatchers.eq(RESEARCH));

        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?" + WINDOW + "&department=" + UUID.randomUUID())
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read")))
            .hasStatus(HttpStatus.FORBIDDEN)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("forbidden");
    }

    @Test
    void aWindowOfFourHundredDaysIsTheLongest() {
        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?from=2025-01-01T00:00:00Z&to=2026-02-05T23:59:59Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();
        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?from=2025-01-01T00:00:00Z&to=2026-02-06T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST);
    }

    static Stream<Arguments> badParameters() {
        String instant = " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z";
        String window = "from must be before to, at most 400 days apart";
        return Stream.of(arguments("from=yesterday&to=2026-11-02T00:00:00Z", "from" + instant),
                arguments("from=2026-11-01T00:00:00Z&to=today", "to" + instant),
                arguments("from=2026-11-01T00:00:00Z&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z",
                        "from" + instant),
                arguments("from=0001-01-01T00:00:00Z&to=2026-11-02T00:00:00Z",
                        "from must lie between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z"),
                arguments("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", window),
                arguments("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", window),
                arguments(WINDOW + "&groupBy=model;DROP",
                        "groupBy takes model, department, agent, node, energySource, team and project"),
                arguments(WINDOW + "&department=..%2F..%2Fetc", "department must be a UUID"),
                arguments(WINDOW + "&department= " + RESEARCH, "department must be a UUID"));
    }

    @ParameterizedTest
    @MethodSource("badParameters")
    void aBadParameterIsAProblemThatNamesIt(String parameters, String detail) {
        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?" + parameters)
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"status": 400, "code": "invalid_parameter", "title": "Invalid parameter",
                     "type": "https://tokenfactory.io/problems/invalid_parameter", "detail": "%s"}"""
                .formatted(detail));
        then(costPerToken).should(never()).between(any(), any(), anyList(), any());
    }

    @Test
    void aWindowLeftOutIsAMissingParameter() {
        assertThat(mvc.get()
            .uri("/api/billing/cost-per-token?to=2026-11-02T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"status": 400, "code": "bad_request",
                     "detail": "Required parameter 'from' is not present."}""");
        assertThat(mvc.get()
            .uri("/api/billing/usage-summary?from=2026-11-02T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"status": 400, "code": "bad_request", "detail": "Required parameter 'to' is not present."}""");
    }

    @Test
    void theBilledUsageSummaryIsForAdministratorsOverAWindowThatRunsForwards() {
        assertThat(
                mvc.get().uri("/api/billing/usage-summary?" + WINDOW).header(HttpHeaders.AUTHORIZATION, tokens.admin()))
            .hasStatusOk();
        then(billedUsage).should()
            .between(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"));

        assertThat(mvc.get()
            .uri("/api/billing/usage-summary?from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("from must be before to");
        assertThat(mvc.get()
            .uri("/api/billing/usage-summary?from=x&to=2026-11-02T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("from must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        assertThat(mvc.get()
            .uri("/api/billing/usage-summary?" + WINDOW)
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "billing:read")))
            .hasStatus(HttpStatus.FORBIDDEN);
    }

}
