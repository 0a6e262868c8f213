package io.tokenfactory.gateway.relayed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.gateway.relayed.RelayedTotals.Row;

import org.junit.jupiter.api.Test;

/** Relayed tokens accumulate per hour, department and model until a flush takes them. */
class RelayedTotalsTests {

    private static final UUID RESEARCH = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static final UUID SALES = UUID.fromString("00000000-0000-0000-0000-000000000002");

    private final RelayedTotals totals = new RelayedTotals();

    @Test
    void addsResponsesOfOneHourDepartmentAndModelTogetherEachInTheHourItEnded() {
        totals.add(at("10:59:59.999"), SALES, "llama", 10, 5, false);
        totals.add(at("10:00:00"), RESEARCH, "llama", 3, 4, false);
        totals.add(at("10:30:00"), RESEARCH, "llama", 2, 7, true);
        totals.add(at("11:00:00"), RESEARCH, "llama", 1, 1, false);
        totals.add(at("10:45:00"), RESEARCH, "mistral", 0, 2, true);

        assertThat(totals.drain()).containsExactly(new Row(hour("10"), RESEARCH, "llama", 2, 5, 11, 1),
                new Row(hour("10"), RESEARCH, "mistral", 1, 0, 2, 1), new Row(hour("10"), SALES, "llama", 1, 10, 5, 0),
                new Row(hour("11"), RESEARCH, "llama", 1, 1, 1, 0));
        assertThat(totals.drain()).isEmpty();
    }

    @Test
    void aFlushThatCouldNotBeWrittenGivesItsRowsBackForTheNext() {
        totals.add(at("10:10:00"), RESEARCH, "llama", 3, 4, false);
        List<Row> failed = totals.drain();
        totals.add(at("10:20:00"), RESEARCH, "llama", 1, 1, false);

        totals.restore(failed);

        assertThat(totals.drain()).containsExactly(new Row(hour("10"), RESEARCH, "llama", 2, 4, 5, 0));
    }

    @Test
    void forgetsOnlyHoursLongOverThatHoldNothing() {
        totals.add(at("09:10:00"), RESEARCH, "llama", 3, 4, false);
        totals.drain();
        totals.add(at("10:10:00"), RESEARCH, "llama", 1, 1, false);

        totals.prune(at("11:30:00"));
        // a response still ending in a forgotten hour is kept all the same
        totals.add(at("09:59:00"), SALES, "llama", 2, 2, false);

        assertThat(totals.drain()).containsExactly(new Row(hour("09"), SALES, "llama", 1, 2, 2, 0),
                new Row(hour("10"), RESEARCH, "llama", 1, 1, 1, 0));
    }

    private static long at(String time) {
        return Instant.parse("2026-11-27T" + time + "Z").toEpochMilli();
    }

    private static Instant hour(String hour) {
        return Instant.parse("2026-11-27T" + hour + ":00:00Z");
    }

}
