package io.tokenfactory.inference.usage.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.tokenfactory.inference.security.InferenceWebMvcSlice;
import io.tokenfactory.inference.usage.UsageSummary;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * The usage summary's window as typed parameters: what binds, and the refusals
 * metering-service and the abuse suite rely on (400 {@code invalid_parameter} naming the
 * parameter). A Web MVC slice with the service's real security; {@link UsageSummary}
 * mocked, no database.
 */
@WebMvcTest(UsageSummaryController.class)
@Import(InferenceWebMvcSlice.class)
class UsageSummaryControllerTests {

    private static final Instant FROM = Instant.parse("2026-10-02T08:00:00Z");

    private static final Instant TO = Instant.parse("2026-10-02T09:00:00Z");

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    UsageSummary summary;

    @Test
    void aWindowOfTwoInstantsIsSummarised() {
        when(summary.between(FROM, TO))
            .thenReturn(new UsageSummary.Served(2, 20, 32, new BigDecimal("2.0"), 0, List.of()));

        assertThat(get("/api/inference/usage-summary?from=2026-10-02T08:00:00Z&to=2026-10-02T09:00:00Z", "admin"))
            .hasStatusOk()
            .bodyJson()
            .extractingPath("$.completionTokens")
            .isEqualTo(32);
    }

    @Test
    void anInstantThatIsNotIso8601IsAnInvalidParameterNamingIt() {
        assertThat(get("/api/inference/usage-summary?from=yesterday&to=2026-10-02T09:00:00Z", "admin")).hasStatus(400)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"code": "invalid_parameter",
                     "detail": "from must be an ISO-8601 instant such as 2026-11-27T10:00:00Z"}""");
        assertThat(get("/api/inference/usage-summary?from=2026-10-02T08:00:00Z&to=", "admin")).hasStatus(400)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("to must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        verify(summary, never()).between(any(), any());
    }

    @Test
    void anInstantBeyondWhatTheDatabaseHoldsIsRefused() {
        assertThat(get("/api/inference/usage-summary?from=1969-12-31T23:59:59Z&to=2026-10-02T09:00:00Z", "admin"))
            .hasStatus(400)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("from must lie between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z");
    }

    @Test
    void aWindowThatEndsBeforeOrWhereItStartsIsRefused() {
        assertThat(get("/api/inference/usage-summary?from=2026-10-02T09:00:00Z&to=2026-10-02T09:00:00Z", "admin"))
            .hasStatus(400)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"code": "invalid_parameter", "detail": "from must be before to"}""");
    }

    @Test
    void bothEndsOfTheWindowAreRequiredAndARepeatedOneIsNoInstant() {
        assertThat(get("/api/inference/usage-summary?from=2026-10-02T08:00:00Z", "admin")).hasStatus(400)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"code": "bad_request", "detail": "Required parameter 'to' is not present."}""");
        assertThat(get("/api/inference/usage-summary?from=2026-10-02T08:00:00Z&from=2026-10-02T08:30:00Z"
                + "&to=2026-10-02T09:00:00Z", "admin"))
            .hasStatus(400)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("invalid_parameter");
    }

    @Test
    void onlyAdministratorsMayReadIt() {
        assertThat(get("/api/inference/usage-summary?from=2026-10-02T08:00:00Z&to=2026-10-02T09:00:00Z", "inference"))
            .hasStatus(403)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("forbidden");
        assertThat(mvc.get().uri("/api/inference/usage-summary?from=2026-10-02T08:00:00Z&to=2026-10-02T09:00:00Z"))
            .hasStatus(401);
    }

    private MvcTestResult get(String uri, String token) {
        return mvc.get().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange();
    }

}
