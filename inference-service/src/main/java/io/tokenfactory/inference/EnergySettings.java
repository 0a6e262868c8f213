package io.tokenfactory.inference;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How measured energy reaches metering; how each node is metered is declared per node
 * ({@link NodeSettings}).
 *
 * @param window how often a node's meter owner publishes a {@code power-sampled} window
 * (the sum of the node's settled metering windows in it)
 * @param reportGrace how long after a metering window ends the meter owner waits for
 * every replica's work report before it splits the window's energy; later reports get no
 * share (their requests are labelled with a gap for that window)
 * @param settleTimeout a replica that has not seen its window settled after this long
 * treats it as a gap (no meter owner answers)
 * @param abandonAfter a served request whose energy was never settled (its replica died)
 * is published after this long with no energy figure ({@code NONE}) and its whole
 * duration as a gap
 */
public record EnergySettings(@NotNull @DefaultValue("60s") Duration window,
        @NotNull @DefaultValue("250ms") Duration reportGrace, @NotNull @DefaultValue("15s") Duration settleTimeout,
        @NotNull @DefaultValue("5m") Duration abandonAfter) {
}
