package io.tokenfactory.inference;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Write-ahead usage: how the tokens a client has been sent are made durable before they
 * are sent, and how requests of a dead replica are closed.
 *
 * @param progressInterval how often progress is written: one write per interval carries
 * every stream's progress, so a streamed token waits about one interval (up to two when
 * it arrives while its stream waits for the previous write) plus a commit
 * @param progressTokens a batch is written as soon as this many tokens wait, without
 * waiting for the interval
 * @param heartbeat how often a replica tells the others it is alive
 * @param orphanAfter a request whose replica has not beaten for this long is closed as
 * {@code INTERRUPTED} with the tokens its client had been sent; longer than any database
 * outage a live replica should ride out
 * @param receivedGrace a replica closes orphans only once it has run this long, so
 * gateways can tell it first what the clients of cut streams received
 * @param progressTimeout a stream whose progress cannot be made durable for this long
 * (database away) ends with an error rather than send tokens nobody could bill
 */
public record UsageSettings(@NotNull @DefaultValue("20ms") Duration progressInterval,
        @Min(1) @DefaultValue("32") int progressTokens, @NotNull @DefaultValue("5s") Duration heartbeat,
        @NotNull @DefaultValue("30s") Duration orphanAfter, @NotNull @DefaultValue("10s") Duration progressTimeout,
        @NotNull @DefaultValue("5s") Duration receivedGrace) {

    @AssertTrue(message = "orphan-after must be at least three heartbeats")
    public boolean isOrphanAfterSeveralHeartbeats() {
        return heartbeat == null || orphanAfter == null || orphanAfter.compareTo(heartbeat.multipliedBy(3)) >= 0;
    }

}
