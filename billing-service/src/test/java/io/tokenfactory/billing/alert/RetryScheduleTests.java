package io.tokenfactory.billing.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** When a failed delivery is tried again, and when never. */
class RetryScheduleTests {

    private final RetrySchedule schedule = new RetrySchedule(
            List.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10)), 6);

    @Test
    void waitsTheConfiguredDelaysInTurnAndRepeatsTheLast() {
        assertThat(schedule.after(1)).contains(Duration.ofSeconds(10));
        assertThat(schedule.after(2)).contains(Duration.ofSeconds(30));
        assertThat(schedule.after(3)).contains(Duration.ofMinutes(2));
        assertThat(schedule.after(4)).contains(Duration.ofMinutes(10));
        assertThat(schedule.after(5)).contains(Duration.ofMinutes(10));
    }

    @Test
    void givesUpOnceTheLastAttemptFailed() {
        assertThat(schedule.after(6)).isEmpty();
        assertThat(schedule.after(7)).isEmpty();
        assertThat(new RetrySchedule(List.of(Duration.ofSeconds(1)), 1).after(1)).isEmpty();
    }

    @Test
    void refusesAScheduleWithoutDelaysOrAttempts() {
        assertThatThrownBy(() -> new RetrySchedule(List.of(), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ofSeconds(1)), 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> schedule.after(0)).isInstanceOf(IllegalArgumentException.class);
    }

}
