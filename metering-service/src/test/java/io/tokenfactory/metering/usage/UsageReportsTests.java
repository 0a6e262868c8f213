package io.tokenfactory.metering.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Rows that differ only by energy source fold into one with its mix of sources; totals
 * add every row; tokens of source NONE are the tokens without energy.
 */
class UsageReportsTests {

    private static final Instant HOUR = Instant.parse("2026-11-20T09:00:00Z");

    private static final UUID RESEARCH = UUID.randomUUID();

    @Test
    void rowsOfOneGroupFoldIntoOneWithEachSourcesTokensAndJoules() {
        List<UsageReport.Row> rows = UsageQueries.mixed(List.of(row(HOUR, "llama", "DCGM", 2, 100, 50, "1.5", 0),
                row(HOUR, "llama", "ESTIMATED", 1, 10, 5, "0.25", 0), row(HOUR, "llama", "NONE", 1, 7, 3, "0", 10),
                row(HOUR, "minilm", "DCGM", 1, 40, 0, "0.5", 0)));

        assertThat(rows).hasSize(2);
        UsageReport.Row llama = rows.get(0);
        assertThat(llama.energySource()).isNull();
        assertThat(llama.requests()).isEqualTo(4);
        assertThat(llama.totalTokens()).isEqualTo(175);
        assertThat(llama.energyJoules()).isEqualByComparingTo("1.75");
        assertThat(llama.tokensWithoutEnergy()).isEqualTo(10);
        assertThat(llama.energySources()).containsOnlyKeys("DCGM", "ESTIMATED", "NONE");
        assertThat(llama.energySources().get("DCGM"))
            .isEqualTo(new UsageReport.SourceShare(150, new BigDecimal("1.5")));
        assertThat(rows.get(1).model()).isEqualTo("minilm");
        assertThat(rows.get(1).energySources()).containsOnlyKeys("DCGM");
    }

    @Test
    void rowsOfDifferentBucketsStayApart() {
        List<UsageReport.Row> rows = UsageQueries.mixed(List.of(row(HOUR, "llama", "DCGM", 1, 1, 1, "1", 0),
                row(HOUR.plusSeconds(3600), "llama", "DCGM", 1, 1, 1, "1", 0)));

        assertThat(rows).extracting(UsageReport.Row::start).containsExactly(HOUR, HOUR.plusSeconds(3600));
    }

    @Test
    void totalsAddEveryRowAndKeepTheMixOfSources() {
        UsageReport.Totals totals = UsageQueries.totals(List.of(row(HOUR, "llama", "DCGM", 2, 100, 50, "1.5", 0),
                row(HOUR.plusSeconds(3600), "llama", "DCGM", 1, 10, 5, "0.5", 0),
                row(HOUR, "llama", "NONE", 1, 7, 3, "0", 10)));

        assertThat(totals.requests()).isEqualTo(4);
        assertThat(totals.promptTokens()).isEqualTo(117);
        assertThat(totals.completionTokens()).isEqualTo(58);
        assertThat(totals.totalTokens()).isEqualTo(175);
        assertThat(totals.energyJoules()).isEqualByComparingTo("2");
        assertThat(totals.acceleratorSeconds()).isEqualByComparingTo("3");
        assertThat(totals.tokensWithoutEnergy()).isEqualTo(10);
        assertThat(totals.energySources().get("DCGM"))
            .isEqualTo(new UsageReport.SourceShare(165, new BigDecimal("2.0")));
    }

    @Test
    void nothingUsedIsAllZero() {
        UsageReport.Totals totals = UsageQueries.totals(List.of());

        assertThat(totals.requests()).isZero();
        assertThat(totals.energyJoules()).isZero();
        assertThat(totals.energySources()).isEmpty();
        assertThat(UsageQueries.mixed(List.of())).isEmpty();
    }

    private static UsageReport.Row row(Instant start, String model, String source, long requests, long prompt,
            long completion, String joules, long withoutEnergy) {
        return new UsageReport.Row(start, RESEARCH, null, model, null, source, requests, prompt, completion,
                prompt + completion, new BigDecimal(joules), BigDecimal.ONE, null, withoutEnergy);
    }

}
