package io.tokenfactory.gateway;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import io.tokenfactory.support.events.ConsumerSettings;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param upstreams where each service answers
 * @param connectTimeout how long to wait for a connection to a service
 * @param responseTimeout how long an admin API may take before its response begins
 * @param inferenceResponseTimeout how long inference-service may take before its response
 * begins (the first token can wait for a model to load or a batch slot)
 * @param streamIdleTimeout the longest silence allowed once a response has begun; a token
 * stream may run for minutes, but never goes quiet for this long
 * @param apiKeys how API key secrets are hashed and cached
 * @param identity the identity tokens minted for the services
 * @param limits request and token limits
 * @param consoleOrigins browser origins allowed to call the API (CORS), e.g. the
 * console's dev server
 * @param processedEventRetention how long consumed event ids are kept to recognise
 * redeliveries
 * @param consumers how budget reports and agent states are retried before one is parked
 * as a dead letter
 * @param relayedUsage how the tokens relayed to clients are kept
 * @param budgets how budgets in money are held at the door
 * @param sso people signing in through the organisation's identity provider
 */
@Validated
@ConfigurationProperties("tokenfactory.gateway")
public record GatewayProperties(@NotNull @Valid @DefaultValue Upstreams upstreams,
        @NotNull @DefaultValue("PT2S") Duration connectTimeout,
        @NotNull @DefaultValue("PT30S") Duration responseTimeout,
        @NotNull @DefaultValue("PT2M") Duration inferenceResponseTimeout,
        @NotNull @DefaultValue("PT1M") Duration streamIdleTimeout, @NotNull @Valid @DefaultValue ApiKeys apiKeys,
        @NotNull @Valid @DefaultValue Identity identity, @NotNull @Valid @DefaultValue Limits limits,
        @NotNull @DefaultValue("http://localhost:5173") List<String> consoleOrigins,
        @NotNull @DefaultValue("P30D") Duration processedEventRetention,
        @NotNull @Valid @DefaultValue ConsumerSettings consumers,
        @NotNull @Valid @DefaultValue RelayedUsage relayedUsage, @NotNull @Valid @DefaultValue Budgets budgets,
        @NotNull @Valid @DefaultValue SingleSignOn sso) {

    /**
     * Single sign-on: people sign in to the console with the organisation's OpenID
     * Connect provider (authorization code with PKCE, the console a public client), and
     * the API takes the provider's access tokens (JWTs) beside API keys. A person's
     * groups decide what they may do.
     *
     * @param issuerUri the provider's issuer; empty: single sign-on is off
     * @param clientId the console's client at the provider
     * @param audience when set, an access token must name it in {@code aud}
     * @param scope the scopes the console asks for
     * @param groupsClaim the access-token claim listing a person's groups
     * @param nameClaim the claim naming the person (the console, the audit trail)
     * @param groupScopes platform roles: {@code group=scope,scope;group=scope}, e.g.
     * {@code tf-admins=admin;tf-finance=billing:admin}
     * @param groupDepartments department membership:
     * {@code group=department-id;group=department-id}
     * @param memberScopes what a department's member may do in it
     */
    public record SingleSignOn(@NotNull @DefaultValue("") String issuerUri, @NotNull @DefaultValue("") String clientId,
            @NotNull @DefaultValue("") String audience, @NotNull @DefaultValue("openid profile") String scope,
            @NotBlank @DefaultValue("groups") String groupsClaim,
            @NotBlank @DefaultValue("preferred_username") String nameClaim,
            @NotNull @DefaultValue("") String groupScopes, @NotNull @DefaultValue("") String groupDepartments,
            @NotNull @DefaultValue("usage:read,agents:read,agents:write,billing:read") String memberScopes) {

        public boolean enabled() {
            return !issuerUri.isBlank();
        }

    }

    /**
     * RESERVE: every chargeable request reserves its worst-case charge against its
     * department's, key's and agent's budgets before it is forwarded. EVENTS: only
     * billing's budget-status-changed reports block a department (the behaviour before
     * reservations, kept to measure the difference).
     */
    public enum BudgetEnforcement {

        RESERVE, EVENTS

    }

    /**
     * @param enforcement RESERVE (at the door) or EVENTS (after the fact)
     * @param snapshotInterval how often billing's budgets, spend and prices are read
     * @param reservationTtl a reservation whose gateway died gives its room back after
     * this; longer than the longest stream
     * @param tallyFlushInterval how often the spend this gateway settled is added to its
     * {@code budget_tally} table (a restart with the in-memory store starts from it)
     */
    public record Budgets(@NotNull @DefaultValue("RESERVE") BudgetEnforcement enforcement,
            @NotNull @DurationMin(millis = 100) @DefaultValue("PT10S") Duration snapshotInterval,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("PT15M") Duration reservationTtl,
            @NotNull @DurationMin(millis = 100) @DefaultValue("PT5S") Duration tallyFlushInterval) {
    }

    /**
     * Where limit counters live: this instance's memory, or Redis shared by all gateway
     * replicas.
     */
    public enum LimitStore {

        MEMORY, REDIS

    }

    /**
     * @param store MEMORY (one gateway) or REDIS (several replicas)
     * @param maxRequestBody larger request bodies are refused with 413
     * @param defaultCompletionReservation tokens reserved for a completion that names no
     * max_tokens
     * @param departmentRpm requests per minute for each department, all its keys together
     * (empty: none)
     * @param departmentTpm tokens per minute for each department, all its keys together
     * (empty: none)
     * @param defaultKeyRpm requests per minute of a department key that names none
     * (empty: none)
     * @param defaultKeyTpm tokens per minute of a department key that names none (empty:
     * none)
     * @param defaultKeyConcurrency inference requests at once of a department key that
     * names none (empty: none)
     * @param failedAuthenticationsPerMinute wrong keys one client address may present per
     * minute; then every request from it gets 429 until the minute is over (brute force
     * gets nowhere)
     */
    public record Limits(@NotNull @DefaultValue("MEMORY") LimitStore store,
            @NotNull @DefaultValue("4MB") DataSize maxRequestBody,
            @Positive @DefaultValue("1024") long defaultCompletionReservation, @Positive Integer departmentRpm,
            @Positive Long departmentTpm, @Positive Integer defaultKeyRpm, @Positive Long defaultKeyTpm,
            @Positive Integer defaultKeyConcurrency, @Positive @DefaultValue("30") int failedAuthenticationsPerMinute) {
    }

    /**
     * @param pepper the HMAC pepper (a secret: set it through {@code TF_API_KEY_PEPPER}),
     * at least 32 characters; when empty, the pepper file is used, and created on first
     * start
     * @param pepperFile where a generated pepper is kept
     * @param cacheTtl how long a key lookup is cached; bounds how late another replica
     * sees a revocation
     * @param agentServiceKeyFile where agent-service's own key (scope {@code agent-keys})
     * is written for it on start, when missing or no longer valid; empty: nothing is
     * written (issue one through the API)
     * @param bootstrapAdminKeyFile where the first start's admin key is written, readable
     * by its owner only (it is never logged); {@code ./factory admin-key} writes a
     * recovered key there too
     * @param bootstrapKeyLifetime how long the first start's admin key works unless used
     */
    public record ApiKeys(
            // a placeholder left in a Secret template (REPLACE_ME) or a word would make
            // every key hash guessable
            @Pattern(regexp = "|.{32,}",
                    message = "must be empty (a pepper generated into the pepper file) or at "
                            + "least 32 characters of random, e.g. openssl rand -base64 32") String pepper,
            @NotNull @DefaultValue(".factory/secrets/api-key-pepper") Path pepperFile,
            @NotNull @DefaultValue("PT30S") Duration cacheTtl, Path agentServiceKeyFile,
            @NotNull @DefaultValue(".factory/secrets/admin-key") Path bootstrapAdminKeyFile,
            @NotNull @DefaultValue("PT24H") Duration bootstrapKeyLifetime) {
    }

    /**
     * @param signingJwk a private EC P-256 JWK (a secret,
     * {@code TF_IDENTITY_SIGNING_JWK}); generated when empty
     * @param tokenTtl lifetime of an identity token
     */
    public record Identity(String signingJwk, @NotNull @DefaultValue("PT60S") Duration tokenTtl) {
    }

    /**
     * @param flushInterval how often the tokens relayed to clients, counted in memory,
     * are added to the {@code relayed_usage} table (and once more at a graceful
     * shutdown): a SIGKILL loses what was counted since the last flush, and metering
     * compares an hour only once this (plus a margin) has passed after it
     */
    public record RelayedUsage(@NotNull @DurationMin(millis = 100) @DefaultValue("PT5S") Duration flushInterval) {
    }

    public record Upstreams(@NotNull @DefaultValue("http://localhost:8082") URI inference,
            @NotNull @DefaultValue("http://localhost:8081") URI agents,
            @NotNull @DefaultValue("http://localhost:8083") URI metering,
            @NotNull @DefaultValue("http://localhost:8084") URI billing) {
    }
}
