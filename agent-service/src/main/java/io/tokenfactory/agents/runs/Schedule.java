package io.tokenfactory.agents.runs;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.agents.definition.AgentDefinition;
import io.tokenfactory.agents.definition.AgentDefinition.OverlapPolicy;
import io.tokenfactory.agents.definition.AgentDefinition.TriggerKind;

import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * An agent's schedule rules, free of the database: when its trigger fires (an always-on
 * loop every interval at a fixed rate, a cron expression in its time zone), what becomes
 * of fires missed while nothing ran (catch-up), and whether a fire or a request starts a
 * run, given the runs still open and the agent's limits (overlap policy, runs per day,
 * tokens per month).
 */
record Schedule(TriggerKind trigger, @Nullable Integer intervalSeconds, @Nullable String cron,
        @Nullable String timeZone, OverlapPolicy overlap, int maxRunsPerDay, @Nullable Long monthlyTokenBudget) {

    /**
     * Counting fires between two times stops here: a long outage of a fast loop is not
     * counted one by one.
     */
    static final int FIRE_COUNT_CAP = 100_000;

    /** A run not yet ended. */
    record OpenRun(UUID id, RunStatus status) {
    }

    /**
     * What the agent used: runs on {@code runsDay} and tokens in {@code tokensMonth}
     * (UTC); older tallies count 0.
     */
    record Tally(@Nullable LocalDate runsDay, int runsThatDay, @Nullable String tokensMonth, long tokensThatMonth) {

        int runsOn(LocalDate day) {
            return day.equals(runsDay) ? runsThatDay : 0;
        }

        long tokensIn(YearMonth month) {
            return month.toString().equals(tokensMonth) ? tokensThatMonth : 0;
        }
    }

    /**
     * What a due fire does: the schedule's next fire, fires skipped (a limit or the
     * overlap policy said no) and missed (they fell while nothing ran), whether a run is
     * queued, and which running run is asked to stop (CANCEL_RUNNING).
     */
    record Fire(@Nullable Instant next, long skipped, long missed, boolean queued, @Nullable UUID cancel) {
    }

    /** Why a request to run now is refused. */
    enum Refusal {

        NOT_TODAY, TOKEN_BUDGET_USED, ALREADY_QUEUED, IN_PROGRESS

    }

    static Schedule of(AgentDefinition definition) {
        return new Schedule(definition.trigger(), definition.intervalSeconds(), definition.cron(),
                definition.timeZone(), definition.overlapPolicy(), definition.maxRunsPerDay(),
                definition.monthlyTokenBudget());
    }

    /**
     * The first fire after {@code after}; null for triggers that never fire by themselves
     * (manual, webhook).
     */
    @Nullable Instant nextAfter(Instant after) {
        return switch (trigger) {
            case LOOP -> after.plusSeconds(intervalSeconds);
            case CRON -> {
                ZonedDateTime next = CronExpression.parse(cron).next(after.atZone(zone()));
                yield next == null ? null : next.toInstant();
            }
            case MANUAL, WEBHOOK -> null;
        };
    }

    /**
     * The first fire of a freshly activated agent: a loop starts at once, a cron at its
     * next time.
     */
    @Nullable Instant firstFrom(Instant now) {
        return trigger == TriggerKind.LOOP ? now : nextAfter(now);
    }

    /**
     * After the fire due at {@code due} happened at {@code now}: a loop keeps its cadence
     * unless it fell a whole interval behind (then it restarts from now: no burst); a
     * cron takes its next time after now.
     */
    @Nullable Instant following(Instant due, Instant now) {
        if (trigger == TriggerKind.LOOP) {
            Instant next = due.plusSeconds(intervalSeconds);
            return next.isAfter(now) ? next : now.plusSeconds(intervalSeconds);
        }
        return nextAfter(now);
    }

    /**
     * How many fires fell between {@code due} (included) and {@code now} (excluded),
     * counted up to a cap.
     */
    long firesBetween(Instant due, Instant now, int cap) {
        if (trigger == TriggerKind.LOOP) {
            return Math.min(cap, Duration.between(due, now).getSeconds() / intervalSeconds + 1);
        }
        long count = 0;
        for (Instant fire = due; fire != null && fire.isBefore(now) && count < cap; fire = nextAfter(fire)) {
            count++;
        }
        return count;
    }

    /**
     * The fire due at {@code due}, handled at {@code now}. Overdue by more than the
     * catch-up window: every fire since is missed and the agent resumes its cadence.
     * Otherwise the fires before the latest are missed (they run once, not in a burst)
     * and the fire queues a run, unless the day's runs or the month's tokens are used, a
     * run is already queued, or one is running and the overlap policy is SKIP.
     */
    Fire fire(Instant due, Instant now, Duration catchUpWindow, Tally tally, List<OpenRun> open) {
        Instant next = following(due, now);
        long fires = firesBetween(due, now, FIRE_COUNT_CAP);
        if (Duration.between(due, now).compareTo(catchUpWindow) > 0) {
            return new Fire(next, 0, fires, false, null);
        }
        long missed = Math.max(0, fires - 1);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        OpenRun running = running(open);
        if (overLimit(tally, today) || queued(open) || (running != null && overlap == OverlapPolicy.SKIP)) {
            return new Fire(next, 1, missed, false, null);
        }
        UUID cancel = running != null && overlap == OverlapPolicy.CANCEL_RUNNING ? running.id() : null;
        return new Fire(next, 0, missed, true, cancel);
    }

    /**
     * A request to run now (manual or webhook), on {@code today}: the refusal, if any.
     */
    Optional<Refusal> refusal(LocalDate today, Tally tally, List<OpenRun> open) {
        if (tally.runsOn(today) >= maxRunsPerDay) {
            return Optional.of(Refusal.NOT_TODAY);
        }
        if (monthlyTokenBudget != null && tally.tokensIn(YearMonth.from(today)) >= monthlyTokenBudget) {
            return Optional.of(Refusal.TOKEN_BUDGET_USED);
        }
        if (queued(open)) {
            return Optional.of(Refusal.ALREADY_QUEUED);
        }
        if (running(open) != null && overlap == OverlapPolicy.SKIP) {
            return Optional.of(Refusal.IN_PROGRESS);
        }
        return Optional.empty();
    }

    /** The running run an admitted request stops first (CANCEL_RUNNING), if any. */
    Optional<UUID> cancelledBy(List<OpenRun> open) {
        OpenRun running = running(open);
        return running != null && overlap == OverlapPolicy.CANCEL_RUNNING ? Optional.of(running.id())
                : Optional.empty();
    }

    private boolean overLimit(Tally tally, LocalDate today) {
        return tally.runsOn(today) >= maxRunsPerDay
                || (monthlyTokenBudget != null && tally.tokensIn(YearMonth.from(today)) >= monthlyTokenBudget);
    }

    private static @Nullable OpenRun running(List<OpenRun> open) {
        return open.stream().filter(run -> run.status() == RunStatus.RUNNING).findFirst().orElse(null);
    }

    private static boolean queued(List<OpenRun> open) {
        return open.stream().anyMatch(run -> run.status() == RunStatus.QUEUED);
    }

    private ZoneId zone() {
        return ZoneId.of(timeZone == null ? "UTC" : timeZone);
    }
}
