package io.tokenfactory.agents.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.agents.definition.AgentDefinition.OverlapPolicy;
import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;
import io.tokenfactory.agents.runs.Schedule.OpenRun;
import io.tokenfactory.agents.runs.Schedule.Refusal;
import io.tokenfactory.agents.runs.Schedule.Tally;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ScheduleTests {

    private static final Instant NOON = Instant.parse("2026-12-06T12:00:00Z");

    private static final LocalDate TODAY = LocalDate.parse("2026-12-06");

    private static final Duration HOUR = Duration.ofHours(1);

    private static final Tally NOTHING_USED = new Tally(null, 0, null, 0);

    private static Schedule loop(int seconds, OverlapPolicy overlap) {
        return new Schedule(TriggerKind.LOOP, seconds, null, null, overlap, 100, null);
    }

    private static Schedule cron(String expression, String zone) {
        return new Schedule(TriggerKind.CRON, null, expression, zone, OverlapPolicy.SKIP, 100, null);
    }

    @Nested
    class FireTimes {

        @Test
        void aLoopStartsAtOnceAndKeepsItsCadence() {
            Schedule every30s = loop(30, OverlapPolicy.SKIP);
            assertThat(every30s.firstFrom(NOON)).isEqualTo(NOON);
            // fired 2 s late: the next fire keeps the cadence, not the delay
            assertThat(every30s.following(NOON, NOON.plusSeconds(2))).isEqualTo(NOON.plusSeconds(30));
        }

        @Test
        void aLoopThatFellAWholeIntervalBehindRestartsFromNowInsteadOfBursting() {
            Schedule every30s = loop(30, OverlapPolicy.SKIP);
            assertThat(every30s.following(NOON, NOON.plusSeconds(95))).isEqualTo(NOON.plusSeconds(125));
        }

        @Test
        void aCronFiresAtItsNextTimeInItsOwnTimeZone() {
            Schedule nineInBerlin = cron("0 0 9 * * *", "Europe/Berlin");
            // 12:00 UTC is 13:00 in Berlin (winter): the next 09:00 Berlin is tomorrow
            // 08:00 UTC
            assertThat(nineInBerlin.firstFrom(NOON)).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
            assertThat(cron("0 0 9 * * *", null).firstFrom(NOON)).isEqualTo(Instant.parse("2026-12-07T09:00:00Z"));
        }

        @Test
        void aCronAtATimeTheSpringClockChangeSkipsDoesNotFireThatDay() {
            Schedule twoThirty = cron("0 30 2 * * *", "Europe/Berlin");
            // 2027-03-28 02:30 does not exist in Berlin (clocks jump from 02:00 to
            // 03:00): the next fire is the
            // 29th at 02:30 CEST (00:30 UTC); docs/architecture.md says so
            Instant next = twoThirty.nextAfter(Instant.parse("2027-03-27T12:00:00Z"));
            assertThat(next).isEqualTo(Instant.parse("2027-03-29T00:30:00Z"));
        }

        @Test
        void manualAndWebhookAgentsNeverFireByThemselves() {
            for (TriggerKind trigger : List.of(TriggerKind.MANUAL, TriggerKind.WEBHOOK)) {
                Schedule schedule = new Schedule(trigger, null, null, null, OverlapPolicy.SKIP, 10, null);
                assertThat(schedule.firstFrom(NOON)).isNull();
                assertThat(schedule.following(NOON, NOON)).isNull();
            }
        }

        @Test
        void firesBetweenCountsTheDueFireAndThoseBeforeNowUpToTheCap() {
            assertThat(loop(10, OverlapPolicy.SKIP).firesBetween(NOON, NOON.plusSeconds(35), 1000)).isEqualTo(4);
            assertThat(loop(1, OverlapPolicy.SKIP).firesBetween(NOON, NOON.plus(Duration.ofDays(30)), 500))
                .isEqualTo(500);
            assertThat(cron("0 0 * * * *", null).firesBetween(NOON, NOON.plus(Duration.ofHours(3)), 1000)).isEqualTo(3);
        }

    }

    @Nested
    class CatchUp {

        @Test
        void firesMissedInsideTheWindowRunOnceNotInABurst() {
            Schedule hourly = cron("0 0 * * * *", null);
            Instant due = NOON.minus(Duration.ofMinutes(50));
            Schedule.Fire fire = hourly.fire(due, NOON, HOUR, NOTHING_USED, List.of());
            assertThat(fire.queued()).isTrue();
            assertThat(fire.missed()).isZero();

            Schedule.Fire afterThree = loop(600, OverlapPolicy.SKIP).fire(NOON.minus(Duration.ofMinutes(25)), NOON,
                    HOUR, NOTHING_USED, List.of());
            assertThat(afterThree.queued()).isTrue();
            assertThat(afterThree.missed()).isEqualTo(2);
        }

        @Test
        void firesOlderThanTheWindowAreSkippedAsMissedAndTheCadenceResumes() {
            Schedule hourly = cron("0 0 * * * *", null);
            Instant due = NOON.minus(Duration.ofHours(5));
            Schedule.Fire fire = hourly.fire(due, NOON, HOUR, NOTHING_USED, List.of());
            assertThat(fire.queued()).isFalse();
            assertThat(fire.missed()).isEqualTo(5);
            assertThat(fire.next()).isEqualTo(NOON.plus(HOUR));
        }

    }

    @Nested
    class OverlapAndLimits {

        private final UUID running = UUID.randomUUID();

        private final List<OpenRun> oneRunning = List.of(new OpenRun(running, RunStatus.RUNNING));

        @Test
        void skipLeavesTheRunningRunAloneAndCountsASkippedFire() {
            Schedule.Fire fire = loop(60, OverlapPolicy.SKIP).fire(NOON, NOON, HOUR, NOTHING_USED, oneRunning);
            assertThat(fire.queued()).isFalse();
            assertThat(fire.skipped()).isEqualTo(1);
            assertThat(fire.cancel()).isNull();
        }

        @Test
        void queueOneQueuesBesideTheRunningRunButNeverASecondQueuedOne() {
            Schedule queueOne = loop(60, OverlapPolicy.QUEUE_ONE);
            Schedule.Fire fire = queueOne.fire(NOON, NOON, HOUR, NOTHING_USED, oneRunning);
            assertThat(fire.queued()).isTrue();
            assertThat(fire.cancel()).isNull();

            List<OpenRun> runningAndQueued = List.of(oneRunning.get(0),
                    new OpenRun(UUID.randomUUID(), RunStatus.QUEUED));
            assertThat(queueOne.fire(NOON, NOON, HOUR, NOTHING_USED, runningAndQueued).skipped()).isEqualTo(1);
        }

        @Test
        void cancelRunningQueuesAndAsksTheRunningRunToStop() {
            Schedule.Fire fire = loop(60, OverlapPolicy.CANCEL_RUNNING).fire(NOON, NOON, HOUR, NOTHING_USED,
                    oneRunning);
            assertThat(fire.queued()).isTrue();
            assertThat(fire.cancel()).isEqualTo(running);
        }

        @Test
        void theDailyRunLimitCountsOnlyToday() {
            Schedule twoADay = new Schedule(TriggerKind.LOOP, 60, null, null, OverlapPolicy.SKIP, 2, null);
            assertThat(twoADay.fire(NOON, NOON, HOUR, new Tally(TODAY, 2, null, 0), List.of()).skipped()).isEqualTo(1);
            assertThat(twoADay.fire(NOON, NOON, HOUR, new Tally(TODAY.minusDays(1), 2, null, 0), List.of()).queued())
                .isTrue();
            assertThat(twoADay.refusal(TODAY, new Tally(TODAY, 2, null, 0), List.of())).contains(Refusal.NOT_TODAY);
        }

        @Test
        void theMonthlyTokenBudgetCountsOnlyThisMonth() {
            Schedule budgeted = new Schedule(TriggerKind.LOOP, 60, null, null, OverlapPolicy.SKIP, 100, 1_000L);
            assertThat(budgeted.fire(NOON, NOON, HOUR, new Tally(null, 0, "2026-12", 1_000), List.of()).queued())
                .isFalse();
            assertThat(budgeted.fire(NOON, NOON, HOUR, new Tally(null, 0, "2026-11", 5_000), List.of()).queued())
                .isTrue();
            assertThat(budgeted.refusal(TODAY, new Tally(null, 0, "2026-12", 999), List.of())).isEmpty();
            assertThat(budgeted.refusal(TODAY, new Tally(null, 0, "2026-12", 1_000), List.of()))
                .contains(Refusal.TOKEN_BUDGET_USED);
        }

        @Test
        void aRequestIsRefusedWhileARunWaitsOrWhileOneRunsUnderSkip() {
            List<OpenRun> queued = List.of(new OpenRun(UUID.randomUUID(), RunStatus.QUEUED));
            assertThat(loop(60, OverlapPolicy.QUEUE_ONE).refusal(TODAY, NOTHING_USED, queued))
                .contains(Refusal.ALREADY_QUEUED);
            assertThat(loop(60, OverlapPolicy.SKIP).refusal(TODAY, NOTHING_USED, oneRunning))
                .contains(Refusal.IN_PROGRESS);
            assertThat(loop(60, OverlapPolicy.QUEUE_ONE).refusal(TODAY, NOTHING_USED, oneRunning)).isEmpty();
            assertThat(loop(60, OverlapPolicy.CANCEL_RUNNING).cancelledBy(oneRunning)).contains(running);
            assertThat(loop(60, OverlapPolicy.QUEUE_ONE).cancelledBy(oneRunning)).isEmpty();
        }

    }

}
