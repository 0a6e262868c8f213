package io.tokenfactory.metering.efficiency.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.metering.efficiency.Efficiency;
import io.tokenfactory.metering.efficiency.EfficiencyQueries;
import io.tokenfactory.testsupport.MockedIdentityTokens;
import io.tokenfactory.metering.security.MeteringWebSlice;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The efficiency API's parameters: the window, the grouping, the filters and the
 * department scope.
 */
@MeteringWebSlice
class EfficiencyControllerTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Autowired
    MockMvcTester mvc;

    @Autowired
    EfficiencyQueries queries;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void answerWithNoRows() {
        tokens = new MockedIdentityTokens(decoder);
        given(queries.efficiency(any(), any(), anyList(), any())).willAnswer(
                call -> new Efficiency(call.getArgument(0), call.getArgument(1), call.getArgument(2), List.of()));
    }

    @Test
    void aDepartmentReadsItsOwnEfficiencyOfTheLastDayByDefault() {
        assertThat(mvc.get()
            .uri("/api/metering/efficiency")
            .header(HttpHeaders.AUTHORIZATION, tokens.department(RESEARCH, "usage:read"))).hasStatusOk();

        then(queries).should()
            .efficiency(MeteringWebSlice.NOW.minus(Duration.ofDays(1)), MeteringWebSlice.NOW, List.of(),
                    new EfficiencyQueries.Scope(RESEARCH, null, null, null, null));
    }

    @Test
    void everyParameterIsReadIntoTheScope() {
        UUID agent = UUID.randomUUID();
        assertThat(mvc.get()
            .uri("/api/metering/efficiency?from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z"
                    + "&groupBy=node,MODEL&agent=" + agent + "&model=llama&node=node-a&energySource=Estimated")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatusOk();

        then(queries).should()
            .efficiency(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-08T00:00:00Z"),
                    List.of(Dimension.NODE, Dimension.MODEL),
                    new EfficiencyQueries.Scope(null, agent, "llama", "node-a", "ESTIMATED"));
    }

    @Test
    void badParametersAreProblemsThatNameThem() {
        for (String[] bad : new String[][] {
                { "from=soon", "from must be an ISO-8601 instant such as 2026-11-27T10:00:00Z" },
                { "groupBy=granularity",
                        "groupBy takes department, agent, model, node, energySource, user, team, project and "
                                + "deployment" },
                { "energySource=wind",
                        "energySource must be one of [nvml, dcgm, dcgm_power, kepler, rapl, reported, "
                                + "estimated, none]" },
                { "department=research", "department must be a UUID" },
                { "node=" + "n".repeat(201), "node is longer than 200 characters" } }) {
            assertThat(mvc.get()
                .uri("/api/metering/efficiency?" + bad[0])
                .header(HttpHeaders.AUTHORIZATION, tokens.admin())).hasStatus(HttpStatus.BAD_REQUEST)
                .bodyJson()
                .extractingPath("$.detail")
                .isEqualTo(bad[1]);
        }
        then(queries).should(never()).efficiency(any(), any(), anyList(), any());
    }

}
