package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

/**
 * Who may issue which key, and that billing confirms the department before anything is
 * stored.
 */
class KeyIssuingTests {

    private static final UUID DEPARTMENT = UUID.randomUUID();

    private static final UUID AGENT = UUID.randomUUID();

    private final ApiKeys keys = mock(ApiKeys.class);

    private final BillingDepartmentsClient departments = mock(BillingDepartmentsClient.class);

    private final KeyIssuing issuing = new KeyIssuing(keys, departments);

    KeyIssuingTests() {
        when(departments.requireExists(any())).thenReturn(Mono.empty());
        when(keys.issue(any())).thenAnswer(call -> new IssuedApiKey(view(call.getArgument(0)), "tf_new"));
    }

    @Test
    void anAdministratorIssuesAnyKeyOnceBillingKnowsItsDepartment() {
        NewApiKey spec = spec(DEPARTMENT, null, Set.of("inference", "usage:read"));

        assertThat(issuing.issue(spec, true).block().secret()).isEqualTo("tf_new");
        verify(departments).requireExists(DEPARTMENT);
    }

    @Test
    void agentServiceIssuesOnlyInferenceKeysBoundToADepartmentAndAnAgent() {
        assertThat(issuing.issue(spec(DEPARTMENT, AGENT, Set.of("inference")), false).block()).isNotNull();

        for (NewApiKey beyond : List.of(spec(DEPARTMENT, AGENT, Set.of("inference", "usage:read")),
                spec(DEPARTMENT, null, Set.of("inference")), spec(null, AGENT, Set.of("inference")),
                spec(null, null, Set.of("admin")))) {
            assertThatThrownBy(() -> issuing.issue(beyond, false).block()).as("%s", beyond)
                .isInstanceOfSatisfying(ApiProblemException.class, refused -> {
                    assertThat(refused.code()).isEqualTo("forbidden");
                    assertThat(refused).hasMessage(
                            "An 'agent-keys' key issues only inference keys bound to a " + "department and an agent");
                });
        }
        verify(keys, times(1)).issue(any());
    }

    @Test
    void aDepartmentBillingDoesNotConfirmGetsNoKey() {
        when(departments.requireExists(DEPARTMENT)).thenReturn(Mono.error(ApiProblemException
            .unprocessable("unknown_department", "billing-service knows no department " + DEPARTMENT)));

        assertThatThrownBy(() -> issuing.issue(spec(DEPARTMENT, null, Set.of("inference")), true).block())
            .isInstanceOfSatisfying(ApiProblemException.class,
                    refused -> assertThat(refused.code()).isEqualTo("unknown_department"));
        verify(keys, never()).issue(any());
    }

    private static NewApiKey spec(UUID department, UUID agent, Set<String> scopes) {
        return new NewApiKey("key", department, agent, scopes, List.of(), null, null, null);
    }

    private static ApiKeyView view(NewApiKey spec) {
        return new ApiKeyView(UUID.randomUUID(), spec.name(), "tf_abc…wxyz", spec.departmentId(), spec.agentId(),
                spec.scopes(), List.of(), null, null, null, null, Instant.parse("2026-11-05T10:00:00Z"), null);
    }

}
