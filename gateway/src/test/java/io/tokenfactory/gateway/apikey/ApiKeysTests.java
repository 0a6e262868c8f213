package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Which keys may be issued (scopes, department, expiry) and which secrets authenticate,
 * without a database.
 */
class ApiKeysTests {

    private static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");

    private static final UUID DEPARTMENT = UUID.randomUUID();

    private final ApiKeyRepository repository = mock(ApiKeyRepository.class);

    private final ApiKeySecrets secrets = ApiKeySecretsTests.secrets(ApiKeySecretsTests.PEPPER);

    private final ApiKeys keys = new ApiKeys(repository, secrets, Clock.fixed(NOW, ZoneOffset.UTC), properties(),
            mock(AuditTrail.class), allowingTeamAndProject());

    /** The tag policy with no keys allowed beyond team and project. */
    private static TagPolicy allowingTeamAndProject() {
        TagPolicy policy = mock(TagPolicy.class);
        when(policy.checked(any()))
            .thenAnswer(call -> io.tokenfactory.support.tags.CostTags.checked(call.getArgument(0), java.util.Set.of()));
        return policy;
    }

    ApiKeysTests() {
        when(repository.save(any())).thenAnswer(invocation -> invocation.getArgument(0));
    }

    @Test
    void issuesADepartmentsKeyWithItsLimitsAndASecretThatMatchesTheStoredHash() {
        IssuedApiKey issued = keys.issue(new NewApiKey("team", DEPARTMENT, null, Set.of("inference", "usage:read"),
                List.of("byte-lm-moby"), 60, 10_000L, NOW.plusSeconds(3600)));

        assertThat(issued.key().scopes()).containsExactly("inference", "usage:read");
        assertThat(issued.key().allowedModels()).containsExactly("byte-lm-moby");
        assertThat(issued.key().rpmLimit()).isEqualTo(60);
        assertThat(issued.key().createdAt()).isEqualTo(NOW);
        assertThat(issued.key().statusAt(NOW)).isEqualTo(ApiKeyView.Status.ACTIVE);
        assertThat(secrets.looksGenuine(issued.secret())).isTrue();
        assertThat(issued.key().secretHint()).startsWith(issued.secret().substring(0, 6));
    }

    @Test
    void refusesScopesItDoesNotKnowOrNone() {
        assertRefused(spec(DEPARTMENT, Set.of("inference", "root"), null), "invalid_scopes");
        assertRefused(spec(DEPARTMENT, Set.of(), null), "invalid_scopes");
        assertRefused(spec(DEPARTMENT, null, null), "invalid_scopes");
    }

    @Test
    void agentKeysIsAgentServicesOwnScopeAloneOnAKeyOfNoDepartment() {
        keys.issue(spec(null, Set.of("agent-keys"), null));

        assertRefused(spec(DEPARTMENT, Set.of("agent-keys"), null), "invalid_scopes");
        assertRefused(spec(null, Set.of("agent-keys", "admin"), null), "invalid_scopes");
        assertRefused(spec(null, Set.of("agent-keys", "inference"), null), "invalid_scopes");
    }

    @Test
    void platformScopesBelongToKeysOfNoDepartmentAndDepartmentScopesToDepartmentKeys() {
        keys.issue(spec(null, Set.of("admin"), null));
        keys.issue(spec(null, Set.of("billing:admin"), null));
        keys.issue(spec(null, Set.of("keys:admin", "billing:admin"), null));
        keys.issue(spec(null, Set.of("metrics:read"), null));
        keys.issue(spec(DEPARTMENT, Set.of("inference", "usage:read", "agents:read", "agents:write", "billing:read"),
                null));

        assertRefused(spec(null, Set.of("inference"), null), "department_required");
        assertRefused(spec(null, Set.of("admin", "usage:read"), null), "department_required");
        assertRefused(spec(null, Set.of("billing:read"), null), "department_required");
        assertRefused(spec(DEPARTMENT, Set.of("admin", "inference"), null), "invalid_scopes");
        assertRefused(spec(DEPARTMENT, Set.of("billing:admin"), null), "invalid_scopes");
        assertRefused(spec(DEPARTMENT, Set.of("keys:admin"), null), "invalid_scopes");
        assertRefused(spec(DEPARTMENT, Set.of("metrics:read"), null), "invalid_scopes");
    }

    @Test
    void anExpiryMustLieInTheFuture() {
        keys.issue(spec(DEPARTMENT, Set.of("inference"), NOW.plusMillis(1)));

        assertRefused(spec(DEPARTMENT, Set.of("inference"), NOW), "invalid_expiry");
        assertRefused(spec(DEPARTMENT, Set.of("inference"), NOW.minusSeconds(1)), "invalid_expiry");
    }

    @Test
    void aSecretTheGatewayNeverMadeIsRefusedWithoutAskingTheDatabase() {
        assertThat(keys.authenticate("tf_" + "A".repeat(ApiKeySecrets.LENGTH - 3))).isEmpty();
        assertThat(keys.authenticate("sk-" + "A".repeat(ApiKeySecrets.LENGTH - 3))).isEmpty();
        assertThat(keys.authenticate("tf_" + "A".repeat(200))).isEmpty();
        assertThat(keys.authenticate(null)).isEmpty();
        assertThat(keys.authenticateFromCache("tf_short")).contains(Optional.empty());

        verify(repository, never()).findBySecretHash(anyString());
    }

    @Test
    void aKnownActiveKeyAuthenticatesAndItsAnswerIsCachedForLaterLookups() {
        IssuedApiKey issued = keys.issue(spec(DEPARTMENT, Set.of("inference"), null));
        ApiKey stored = storedKeyOf(issued);

        assertThat(keys.authenticateFromCache(issued.secret())).isEmpty();
        assertThat(keys.authenticate(issued.secret())).map(ApiKeyView::id).contains(issued.key().id());
        assertThat(keys.authenticate(issued.secret())).isPresent();
        assertThat(keys.authenticateFromCache(issued.secret()))
            .hasValueSatisfying(found -> assertThat(found).isPresent());

        verify(repository, times(1)).findBySecretHash(stored.secretHash());
    }

    @Test
    void anUnknownSecretIsCachedAsUnknownToo() {
        String unknown = secrets.generate().value();
        when(repository.findBySecretHash(anyString())).thenReturn(Optional.empty());

        assertThat(keys.authenticate(unknown)).isEmpty();
        assertThat(keys.authenticate(unknown)).isEmpty();
        assertThat(keys.authenticateFromCache(unknown)).contains(Optional.empty());
        verify(repository, times(1)).findBySecretHash(anyString());
    }

    @Test
    void revokedAndExpiredKeysDoNotAuthenticate() {
        IssuedApiKey revoked = keys.issue(spec(DEPARTMENT, Set.of("inference"), null));
        storedKeyOf(revoked).revoke(NOW);
        IssuedApiKey expired = keys.issue(spec(DEPARTMENT, Set.of("inference"), null));
        storedKeyOf(expired).expireAt(NOW);

        assertThat(keys.authenticate(revoked.secret())).isEmpty();
        assertThat(keys.authenticate(expired.secret())).isEmpty();
    }

    /** The entity the repository received for this key, from now on found by its hash. */
    private ApiKey storedKeyOf(IssuedApiKey issued) {
        String hash = secrets.hash(issued.secret());
        ApiKey stored = savedKeys().stream().filter(key -> key.secretHash().equals(hash)).findFirst().orElseThrow();
        when(repository.findBySecretHash(hash)).thenReturn(Optional.of(stored));
        return stored;
    }

    private List<ApiKey> savedKeys() {
        return mockingDetails(repository).getInvocations()
            .stream()
            .filter(invocation -> invocation.getMethod().getName().equals("save"))
            .map(invocation -> (ApiKey) invocation.getArgument(0))
            .toList();
    }

    private void assertRefused(NewApiKey spec, String code) {
        assertThatThrownBy(() -> keys.issue(spec)).isInstanceOfSatisfying(ApiProblemException.class,
                refused -> assertThat(refused.code()).isEqualTo(code));
    }

    private static NewApiKey spec(UUID department, Set<String> scopes, Instant expiresAt) {
        return new NewApiKey("key", department, null, scopes, List.of(), null, null, expiresAt);
    }

    private static GatewayProperties properties() {
        return new Binder(new MapConfigurationPropertySource(
                Map.of("tokenfactory.gateway.api-keys.pepper", ApiKeySecretsTests.PEPPER)))
            .bindOrCreate("tokenfactory.gateway", GatewayProperties.class);
    }

}
