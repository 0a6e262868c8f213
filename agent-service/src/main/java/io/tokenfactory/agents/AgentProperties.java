package io.tokenfactory.agents;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import io.tokenfactory.support.events.ConsumerSettings;
import io.tokenfactory.support.events.OutboxSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param supervisionInterval how often each replica looks for orphaned runs (a dead
 * replica's) and old transcripts
 * @param outbox how agent-state-changed reaches the broker
 * @param httpAllowedHosts the only hosts the {@code http_get} tool may call (exact
 * names); empty: none
 * @param httpTimeout how long {@code http_get} waits for a host
 * @param gateway where agents call inference, and agent-service's own key there
 * @param billingUrl billing-service, asked for a run's joules and cost (with the caller's
 * own token)
 * @param credentials how agents' keys are kept
 * @param runs how runs are scheduled, executed and supervised
 * @param consumers how budget reports are retried before one is parked as a dead letter
 */
@Validated
@ConfigurationProperties("tokenfactory.agents")
public record AgentProperties(@NotNull @DefaultValue("PT10S") Duration supervisionInterval,
        @Valid @NotNull @DefaultValue OutboxSettings outbox, @NotNull @DefaultValue List<String> httpAllowedHosts,
        @NotNull @DefaultValue("PT10S") Duration httpTimeout, @Valid @NotNull @DefaultValue Gateway gateway,
        @NotNull @DefaultValue("http://localhost:8084") URI billingUrl,
        @Valid @NotNull @DefaultValue Credentials credentials, @Valid @NotNull @DefaultValue Runs runs,
        @Valid @NotNull @DefaultValue ConsumerSettings consumers) {

    /**
     * @param url the gateway's base URL (agents call {@code /v1/chat/completions} there)
     * @param serviceKey agent-service's own key (scope {@code agent-keys}); a secret:
     * prefer the file
     * @param serviceKeyFile where the gateway wrote that key
     * ({@code TF_AGENT_SERVICE_KEY_FILE}); read when needed
     */
    public record Gateway(@NotNull @DefaultValue("http://localhost:8080") URI url, String serviceKey,
            Path serviceKeyFile) {
    }

    /**
     * @param encryptionKey base64 AES-256 key that encrypts agents' stored keys; a
     * secret: prefer the file
     * @param encryptionKeyFile where that key is kept; generated on first use when
     * missing
     */
    public record Credentials(String encryptionKey,
            @NotNull @DefaultValue(".factory/secrets/agent-credentials-key") Path encryptionKeyFile) {
    }

    /**
     * @param pollInterval how often a replica starts due runs (bounds the start delay)
     * @param batch schedules fired, and runs started, per transaction
     * @param maxConcurrent runs one replica executes at once
     * @param lease a running run's lease; renewed every third of it; an expired lease
     * marks the run orphaned (its replica died)
     * @param timeout a run still going after this is cancelled (TIMED_OUT)
     * @param requestTimeout one chat completion may take this long
     * @param maxConsecutiveFailures after this many failed runs in a row the agent is
     * paused (reason failures)
     * @param retryBackoff first retry delay after a failure; doubles with each failure,
     * with jitter
     * @param maxRetryBackoff the longest retry delay
     * @param inferenceBackoff first pause while inference is unavailable; doubles, no
     * retry is spent
     * @param maxInferenceBackoff the longest such pause
     * @param catchUpWindow after downtime, fires missed within this window run once;
     * older ones are skipped
     * @param transcriptRetention steps and texts of finished runs are deleted after this
     * (totals stay)
     */
    public record Runs(@NotNull @DefaultValue("PT0.2S") Duration pollInterval,
            @Min(1) @Max(5_000) @DefaultValue("500") int batch,
            @Min(1) @Max(10_000) @DefaultValue("64") int maxConcurrent, @NotNull @DefaultValue("PT30S") Duration lease,
            @NotNull @DefaultValue("PT5M") Duration timeout, @NotNull @DefaultValue("PT2M") Duration requestTimeout,
            @Min(1) @DefaultValue("5") int maxConsecutiveFailures, @NotNull @DefaultValue("PT2S") Duration retryBackoff,
            @NotNull @DefaultValue("PT5M") Duration maxRetryBackoff,
            @NotNull @DefaultValue("PT1S") Duration inferenceBackoff,
            @NotNull @DefaultValue("PT1M") Duration maxInferenceBackoff,
            @NotNull @DefaultValue("PT1H") Duration catchUpWindow,
            @NotNull @DefaultValue("P30D") Duration transcriptRetention) {
    }
}
