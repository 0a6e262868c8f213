package io.tokenfactory.metering.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import io.tokenfactory.metering.usage.UsageQueries.ReadPlan;
import io.tokenfactory.metering.usage.UsageQuery.Dimension;
import io.tokenfactory.metering.usage.UsageQuery.Granularity;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;

/**
 * What a usage query reads: its dimensions as the API names them, and which table over
 * which window.
 */
class UsageQueryTests {

    @Test
    void groupByNamesDimensionsAsTheApiDoesOnceEachInTheOrderGiven() {
        assertThat(UsageQuery.dimensions(null)).isEmpty();
        assertThat(UsageQuery.dimensions("")).isEmpty();
        assertThat(UsageQuery.dimensions("model,department")).containsExactly(Dimension.MODEL, Dimension.DEPARTMENT);
        assertThat(UsageQuery.dimensions(" EnergySource , node,model,NODE")).containsExactly(Dimension.ENERGY_SOURCE,
                Dimension.NODE, Dimension.MODEL);
        // trailing commas are ignored, as String.split drops trailing empty names
        assertThat(UsageQuery.dimensions("model,,")).containsExactly(Dimension.MODEL);
        assertThat(UsageQuery.dimensions(",")).isEmpty();
    }

    @Test
    void groupByRefusesAnythingButTheApisNames() {
        for (String groupBy : List.of("colour", "energy_source", "department_id", "model,1;--", "model,,node",
                ",model")) {
            assertThatThrownBy(() -> UsageQuery.dimensions(groupBy)).as(groupBy)
                .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                    assertThat(problem.code()).isEqualTo("invalid_parameter");
                    assertThat(problem.getMessage())
                        .isEqualTo("groupBy takes department, agent, model, node, energySource, user, team, project "
                                + "and deployment");
                });
        }
    }

    @Test
    void minuteBucketsAreReadFromRawUsageOverTheWindowAsked() {
        ReadPlan plan = ReadPlan.of(query("2026-11-20T09:10:30Z", "2026-11-20T10:20:00Z", Granularity.MINUTE));

        assertThat(plan)
            .isEqualTo(new ReadPlan(Instant.parse("2026-11-20T09:10:30Z"), Instant.parse("2026-11-20T10:20:00Z"),
                    "usage_record", "occurred_at", "date_trunc('minute', occurred_at, 'UTC')"));
    }

    @Test
    void hourAndDayBucketsAreReadFromTheirRollupsOverWholeBuckets() {
        assertThat(ReadPlan.of(query("2026-11-20T09:10:30Z", "2026-11-20T10:20:00Z", Granularity.HOUR)))
            .isEqualTo(new ReadPlan(Instant.parse("2026-11-20T09:00:00Z"), Instant.parse("2026-11-20T11:00:00Z"),
                    "usage_hourly", "hour_start", "hour_start"));
        assertThat(ReadPlan.of(query("2026-11-20T09:10:30Z", "2026-11-21T00:00:00Z", Granularity.DAY)))
            .isEqualTo(new ReadPlan(Instant.parse("2026-11-20T00:00:00Z"), Instant.parse("2026-11-21T00:00:00Z"),
                    "usage_daily", "day_start", "day_start"));
    }

    @Test
    void aTotalOverWholeHoursIsReadFromTheHourlyRollupAndAnyOtherFromRawUsage() {
        assertThat(ReadPlan.of(query("2026-11-20T09:00:00Z", "2026-11-20T12:00:00Z", Granularity.TOTAL)))
            .isEqualTo(new ReadPlan(Instant.parse("2026-11-20T09:00:00Z"), Instant.parse("2026-11-20T12:00:00Z"),
                    "usage_hourly", "hour_start", null));
        assertThat(ReadPlan.of(query("2026-11-20T09:00:00Z", "2026-11-20T12:00:00.001Z", Granularity.TOTAL)))
            .isEqualTo(new ReadPlan(Instant.parse("2026-11-20T09:00:00Z"), Instant.parse("2026-11-20T12:00:00.001Z"),
                    "usage_record", "occurred_at", null));
    }

    @Test
    void aWindowOfMoreThanTenThousandBucketsIsRefused() {
        // 10 000 minutes are 6 days, 22 hours and 40 minutes
        assertThat(ReadPlan.of(query("2026-11-01T00:00:00Z", "2026-11-07T22:40:00Z", Granularity.MINUTE)).table())
            .isEqualTo("usage_record");
        assertThatThrownBy(() -> ReadPlan.of(query("2026-11-01T00:00:00Z", "2026-11-07T22:41:00Z", Granularity.MINUTE)))
            .isInstanceOfSatisfying(ApiProblemException.class,
                    problem -> assertThat(problem.getMessage())
                        .isEqualTo("the window holds more than 10000 minute buckets; choose a coarser granularity or a "
                                + "shorter window"));
        // a total is one bucket, however long the window
        assertThat(ReadPlan.of(query("2000-01-01T00:00:00Z", "2026-11-07T22:41:00Z", Granularity.TOTAL)).table())
            .isEqualTo("usage_record");
    }

    private static UsageQuery query(String from, String to, Granularity granularity) {
        return new UsageQuery(Instant.parse(from), Instant.parse(to), granularity, List.of(), null, null, null, null,
                null);
    }

}
