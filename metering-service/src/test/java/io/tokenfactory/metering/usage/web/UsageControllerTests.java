package io.tokenfactory.metering.usage.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.tokenfactory.testsupport.MockedIdentityTokens;
import io.tokenfactory.metering.security.MeteringWebSlice;
import io.tokenfactory.metering.usage.UsageQueries;
import io.tokenfactory.metering.usage.UsageQuery;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;
import io.tokenfactory.metering.usage.UsageQuery.Granularity;
import io.tokenfactory.metering.usage.UsageReport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The usage API's parameters, read into a {@link UsageQuery}: defaults, filters, the
 * department scope, and a 400 problem that names each bad parameter — without a database.
 */
@MeteringWebSlice
class UsageControllerTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static final UUID FINANCE = UUID.fromString("00000000-0000-0000-0000-000000000002");

    @Autowired
    MockMvcTester mvc;

    @Autowired
    UsageQueries queries;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void answerWithAnEmptyReport() {
        tokens = new MockedIdentityTokens(decoder);
        given(queries.usage(any())).willAnswer(call -> {
            UsageQuery query = call.getArgument(0);
            return new UsageReport(query.from(), query.to(), query.granularity(), query.groupBy(), List.of(),
                    new UsageReport.Totals(0, 0, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO, Map.of(), 0));
        });
    }

    @Test
    void withoutParametersADepartmentReadsItsOwnHourlyUsageOfTheLastDay() {
        assertThat(mvc.get()
            .uri("/api/metering/usage")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "usage:read"))).hasStatusOk()
            .bodyJson()
            .extractingPath("$.granularity")
            .isEqualTo("HOUR");

        assertThat(askedQuery()).isEqualTo(new UsageQuery(MeteringWebSlice.NOW.minus(Duration.ofDays(1)),
                MeteringWebSlice.NOW, Granularity.HOUR, List.of(), RESEARCH, null, null, null, null));
    }

    @Test
    void everyParameterIsReadIntoTheQuery() {
        UUID agent = UUID.randomUUID();
        assertThat(mvc.get()
            .uri("/api/metering/usage?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z"
                    + "&granularity=Minute&groupBy=model, energySource,model&department=" + FINANCE + "&agent=" + agent
                    + "&model=llama&node=node-a&energySource=dcgm")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        assertThat(askedQuery()).isEqualTo(new UsageQuery(Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-11-02T00:00:00Z"), Granularity.MINUTE,
                List.of(Dimension.MODEL, Dimension.ENERGY_SOURCE), FINANCE, agent, "llama", "node-a", "DCGM"));
    }

    @Test
    void blankParametersAreAbsentOnes() {
        assertThat(mvc.get()
            .uri("/api/metering/usage?from=&to= &granularity=&groupBy=&department=&agent=&model="
                    + "&node= &energySource=&format=")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk()
            .hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);

        assertThat(askedQuery()).isEqualTo(new UsageQuery(MeteringWebSlice.NOW.minus(Duration.ofDays(1)),
                MeteringWebSlice.NOW, Granularity.HOUR, List.of(), null, null, null, null, null));
    }

    @Test
    void repeatedGroupByParametersAreOneListOfNames() {
        assertThat(mvc.get()
            .uri("/api/metering/usage?groupBy=model&groupBy=node,")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        assertThat(askedQuery().groupBy()).containsExactly(Dimension.MODEL, Dimension.NODE);
    }

    @Test
    void withoutFromTheWindowIsTheDayBeforeTo() {
        assertThat(mvc.get()
            .uri("/api/metering/usage?to=2026-11-05T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        assertThat(askedQuery().from()).isEqualTo(Instant.parse("2026-11-04T00:00:00Z"));
    }

    @Test
    void aWindowOfExactlyFourHundredDaysIsAllowed() {
        assertThat(mvc.get()
            .uri("/api/metering/usage?from=2025-10-16T00:00:00Z&to=2026-11-20T00:00:00Z")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();
    }

    @Test
    void csvIsAnsweredForFormatCsvOrAnAcceptHeaderThatAsksForIt() {
        assertThat(mvc.get().uri("/api/metering/usage?format=CSV").header(HttpHeaders.AUTHORIZATION, tokens.admin()))
            .hasStatusOk()
            .hasContentTypeCompatibleWith("text/csv")
            .hasHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"usage.csv\"");
        assertThat(mvc.get()
            .uri("/api/metering/usage")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .header(HttpHeaders.ACCEPT, "text/csv")).hasStatusOk().hasContentTypeCompatibleWith("text/csv");
        assertThat(mvc.get()
            .uri("/api/metering/usage?format=json")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .header(HttpHeaders.ACCEPT, "text/csv, application/json")).hasStatusOk()
            .hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
    }

    static Stream<Arguments> badParameters() {
        String instant = " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z";
        String groupBy = "groupBy takes department, agent, model, node, energySource, user, team, project and "
                + "deployment";
        return Stream.of(arguments("from=yesterday", "from" + instant), arguments("to=2026-11-05", "to" + instant),
                // two values of one parameter are one value with a comma, as ever
                arguments("from=2026-11-01T00:00:00Z&from=2026-11-02T00:00:00Z", "from" + instant),
                arguments("from=1969-12-31T00:00:00Z&to=1970-01-01T01:00:00Z",
                        "from must lie between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z"),
                arguments("from=2026-11-05T00:00:00Z&to=2026-11-04T00:00:00Z", "from must be before to"),
                arguments("from=2026-11-05T00:00:00Z&to=2026-11-05T00:00:00Z", "from must be before to"),
                arguments("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "the window is longer than 400 days"),
                arguments("granularity=fortnight", "granularity must be one of [minute, hour, day, total]"),
                arguments("granularity=hour&granularity=day", "granularity must be one of [minute, hour, day, total]"),
                arguments("groupBy=colour", groupBy), arguments("groupBy=model,,node", groupBy),
                arguments("department=' OR 1=1 --", "department must be a UUID"),
                arguments("department= " + FINANCE, "department must be a UUID"),
                arguments("agent=42", "agent must be a UUID"),
                arguments("energySource=solar", "energySource must be one of [nvml, dcgm, dcgm_power, kepler, rapl, "
                        + "reported, estimated, none]"),
                arguments("format=xml", "format must be json or csv"));
    }

    @ParameterizedTest
    @MethodSource("badParameters")
    void aBadParameterIsAProblemThatNamesIt(String parameters, String detail) {
        assertThat(mvc.get().uri("/api/metering/usage?" + parameters).header(HttpHeaders.AUTHORIZATION, tokens.admin()))
            .hasStatus(HttpStatus.BAD_REQUEST)
            .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
            .bodyJson()
            .isLenientlyEqualTo("""
                    {"status": 400, "code": "invalid_parameter", "title": "Invalid parameter",
                     "type": "https://tokenfactory.io/problems/invalid_parameter", "detail": "%s"}"""
                .formatted(detail));
        then(queries).should(never()).usage(any());
    }

    @Test
    void aModelOrNodeNameLongerThanTwoHundredCharactersIsRefused() {
        assertThat(mvc.get()
            .uri("/api/metering/usage?model=" + "m".repeat(201))
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("model is longer than 200 characters");
        assertThat(mvc.get()
            .uri("/api/metering/usage?node=" + "n".repeat(201))
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("node is longer than 200 characters");
        assertThat(mvc.get()
            .uri("/api/metering/usage?model=" + "m".repeat(200))
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();
    }

    @Test
    void aDepartmentCannotReadAnotherDepartment() {
        assertThat(mvc.get()
            .uri("/api/metering/usage?department=" + FINANCE)
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "usage:read")))
            .hasStatus(HttpStatus.FORBIDDEN)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("forbidden");
        then(queries).should(never()).usage(any());
    }

    @Test
    void onlyTheGatewaysTokensWithUsageReadOrAdminGetIn() {
        assertThat(mvc.get().uri("/api/metering/usage")).hasStatus(HttpStatus.UNAUTHORIZED)
            .hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(mvc.get()
            .uri("/api/metering/usage")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "inference")))
            .hasStatus(HttpStatus.FORBIDDEN);
    }

    private UsageQuery askedQuery() {
        ArgumentCaptor<UsageQuery> query = ArgumentCaptor.forClass(UsageQuery.class);
        then(queries).should().usage(query.capture());
        return query.getValue();
    }

}
