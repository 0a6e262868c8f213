package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import reactor.core.publisher.Mono;

/**
 * Who may issue and revoke which key: an administrator any; a key administrator only
 * department keys; agent-service only inference keys of agents agent-service owns, in
 * their department — and that billing confirms the department before anything is stored.
 */
class KeyIssuingTests {

    private static final UUID DEPARTMENT = UUID.randomUUID();

    private static final UUID AGENT = UUID.randomUUID();

    private static final Actor ACTOR = Actor.SYSTEM;

    private final ApiKeys keys = mock(ApiKeys.class);

    private final BillingDepartmentsClient departments = mock(BillingDepartmentsClient.class);

    private final AgentsClient agents = mock(AgentsClient.class);

    private final KeyIssuing issuing = new KeyIssuing(keys, departments, agents);

    KeyIssuingTests() {
        when(departments.requireExists(any())).thenReturn(Mono.empty());
        when(agents.requireOwned(any(), any(), anyBoolean())).thenReturn(Mono.empty());
        when(keys.issue(any(), any())).thenAnswer(call -> new IssuedApiKey(view(call.getArgument(0)), "tf_new"));
    }

    @Test
    void anAdministratorIssuesAnyKeyOnceBillingKnowsItsDepartment() {
        NewApiKey spec = spec(DEPARTMENT, null, Set.of("inference", "usage:read"));

        assertThat(issuing.issue(spec, KeyAuthority.ADMIN, ACTOR).block().secret()).isEqualTo("tf_new");
        verify(departments).requireExists(DEPARTMENT);
        verify(keys).issue(spec, ACTOR);
    }

    @Test
    void aKeyAdministratorIssuesDepartmentKeysButNoPlatformKey() {
        assertThat(issuing
            .issue(spec(DEPARTMENT, null, Set.of("inference", "billing:read")), KeyAuthority.KEYS_ADMIN, ACTOR)
            .block()).isNotNull();

        for (NewApiKey beyond : List.of(spec(null, null, Set.of("admin")), spec(null, null, Set.of("keys:admin")),
                spec(null, null, Set.of("billing:admin")), spec(null, null, Set.of("agent-keys")))) {
            assertThatThrownBy(() -> issuing.issue(beyond, KeyAuthority.KEYS_ADMIN, ACTOR).block()).as("%s", beyond)
                .isInstanceOfSatisfying(ApiProblemException.class,
                        refused -> assertThat(refused.code()).isEqualTo("forbidden"));
        }
        verify(keys, times(1)).issue(any(), any());
    }

    @Test
    void agentServiceIssuesOnlyInferenceKeysOfItsOwnAgentsInTheirDepartment() {
        assertThat(
                issuing.issue(spec(DEPARTMENT, AGENT, Set.of("inference")), KeyAuthority.AGENT_SERVICE, ACTOR).block())
            .isNotNull();
        verify(agents).requireOwned(AGENT, DEPARTMENT, true);

        for (NewApiKey beyond : List.of(spec(DEPARTMENT, AGENT, Set.of("inference", "usage:read")),
                spec(DEPARTMENT, null, Set.of("inference")), spec(null, AGENT, Set.of("inference")),
                spec(null, null, Set.of("admin")))) {
            assertThatThrownBy(() -> issuing.issue(beyond, KeyAuthority.AGENT_SERVICE, ACTOR).block()).as("%s", beyond)
                .isInstanceOfSatisfying(ApiProblemException.class, refused -> {
                    assertThat(refused.code()).isEqualTo("forbidden");
                    assertThat(refused).hasMessage(
                            "An 'agent-keys' key issues only inference keys bound to a department and an agent");
                });
        }
        verify(keys, times(1)).issue(any(), any());
    }

    @Test
    void aKeyAdministratorBindsAKeyOnlyToAnAgentOfItsDepartment() {
        assertThat(issuing.issue(spec(DEPARTMENT, AGENT, Set.of("inference")), KeyAuthority.KEYS_ADMIN, ACTOR).block())
            .isNotNull();
        verify(agents).requireOwned(AGENT, DEPARTMENT, true);
    }

    @Test
    void agentServiceGetsNoKeyForAnAgentItDoesNotOwnInThatDepartment() {
        UUID foreign = UUID.randomUUID();
        when(agents.requireOwned(AGENT, foreign, true))
            .thenReturn(Mono.error(new ApiProblemException(HttpStatus.FORBIDDEN, "agent_not_owned", "Forbidden",
                    "agent-service owns no agent " + AGENT)));

        assertThatThrownBy(
                () -> issuing.issue(spec(foreign, AGENT, Set.of("inference")), KeyAuthority.AGENT_SERVICE, ACTOR)
                    .block())
            .isInstanceOfSatisfying(ApiProblemException.class,
                    refused -> assertThat(refused.code()).isEqualTo("agent_not_owned"));
        verify(keys, never()).issue(any(), any());
    }

    @Test
    void agentServiceRevokesOnlyKeysOfAgentsItOwnsAndAKeyAdministratorNoPlatformKey() {
        ApiKeyView agentKey = view(spec(DEPARTMENT, AGENT, Set.of("inference")));
        ApiKeyView personKey = view(spec(DEPARTMENT, null, Set.of("inference")));
        ApiKeyView adminKey = view(spec(null, null, Set.of("admin")));
        for (ApiKeyView key : List.of(agentKey, personKey, adminKey)) {
            when(keys.get(key.id())).thenReturn(key);
            when(keys.revoke(eq(key.id()), any())).thenReturn(key);
        }

        assertThat(issuing.revoke(agentKey.id(), KeyAuthority.AGENT_SERVICE, ACTOR).block()).isEqualTo(agentKey);
        verify(agents).requireOwned(AGENT, DEPARTMENT, false);
        assertThat(issuing.revoke(personKey.id(), KeyAuthority.KEYS_ADMIN, ACTOR).block()).isEqualTo(personKey);
        assertThat(issuing.revoke(adminKey.id(), KeyAuthority.ADMIN, ACTOR).block()).isEqualTo(adminKey);

        assertThatThrownBy(() -> issuing.revoke(personKey.id(), KeyAuthority.AGENT_SERVICE, ACTOR).block())
            .isInstanceOf(ApiProblemException.class);
        assertThatThrownBy(() -> issuing.revoke(adminKey.id(), KeyAuthority.KEYS_ADMIN, ACTOR).block())
            .isInstanceOf(ApiProblemException.class);
        // a department key that still holds admin from before fine scopes is no key
        // administrator's to revoke, rotate or change
        ApiKeyView legacyAdmin = view(spec(DEPARTMENT, null, Set.of("admin", "inference")));
        when(keys.get(legacyAdmin.id())).thenReturn(legacyAdmin);
        assertThatThrownBy(() -> issuing.revoke(legacyAdmin.id(), KeyAuthority.KEYS_ADMIN, ACTOR).block())
            .isInstanceOf(ApiProblemException.class);
        assertThatThrownBy(() -> KeyIssuing.requireManages(legacyAdmin, KeyAuthority.KEYS_ADMIN))
            .isInstanceOf(ApiProblemException.class);
        KeyIssuing.requireManages(personKey, KeyAuthority.KEYS_ADMIN);
        verify(keys, never()).revoke(eq(legacyAdmin.id()), any());
        // only the allowed revocations reached the keys
        verify(keys, times(1)).revoke(eq(personKey.id()), any());
        verify(keys, times(1)).revoke(eq(adminKey.id()), any());
    }

    @Test
    void aDepartmentBillingDoesNotConfirmGetsNoKey() {
        when(departments.requireExists(DEPARTMENT)).thenReturn(Mono.error(ApiProblemException
            .unprocessable("unknown_department", "billing-service knows no department " + DEPARTMENT)));

        assertThatThrownBy(
                () -> issuing.issue(spec(DEPARTMENT, null, Set.of("inference")), KeyAuthority.ADMIN, ACTOR).block())
            .isInstanceOfSatisfying(ApiProblemException.class,
                    refused -> assertThat(refused.code()).isEqualTo("unknown_department"));
        verify(keys, never()).issue(any(), any());
    }

    private static NewApiKey spec(UUID department, UUID agent, Set<String> scopes) {
        return new NewApiKey("key", department, agent, scopes, List.of(), null, null, null);
    }

    private static ApiKeyView view(NewApiKey spec) {
        return new ApiKeyView(UUID.randomUUID(), spec.name(), "tf_abc…wxyz", spec.departmentId(), spec.agentId(),
                spec.scopes(), List.of(), null, null, null, null, Instant.parse("2026-11-05T10:00:00Z"), null);
    }

}
