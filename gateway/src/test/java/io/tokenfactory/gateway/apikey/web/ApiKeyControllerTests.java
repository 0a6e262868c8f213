package io.tokenfactory.gateway.apikey.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.apikey.ApiKeys;
import io.tokenfactory.gateway.apikey.IssuedApiKey;
import io.tokenfactory.gateway.apikey.KeyAuthority;
import io.tokenfactory.gateway.apikey.KeyIssuing;
import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.gateway.security.GatewaySecuritySlice;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import reactor.core.publisher.Mono;

/**
 * The key admin API as a WebFlux slice: its controller, the gateway's real security and
 * error handling, with {@link ApiKeys} and {@link KeyIssuing} mocked. No database, broker
 * or upstream.
 */
@WebFluxTest(ApiKeyController.class)
@Import(GatewaySecuritySlice.class)
class ApiKeyControllerTests {

    private static final String ADMIN = "tf_admin-secret";

    private static final String AGENT_SERVICE = "tf_agent-service-secret";

    private static final String DEPARTMENT_KEY = "tf_department-secret";

    private static final UUID DEPARTMENT = UUID.randomUUID();

    @Autowired
    WebTestClient client;

    @MockitoBean
    ApiKeys keys;

    @MockitoBean
    KeyIssuing issuing;

    @BeforeEach
    void knownKeys() {
        signedIn(ADMIN, key(null, Set.of("admin")));
        signedIn(AGENT_SERVICE, key(null, Set.of("agent-keys")));
        signedIn(DEPARTMENT_KEY, key(DEPARTMENT, Set.of("inference")));
    }

    @Test
    void anAdministratorCreatesAKeyAndGetsItsSecretOnceWithItsLocation() {
        ApiKeyView created = key(DEPARTMENT, Set.of("inference"));
        when(issuing.issue(eq(new NewApiKey("team", DEPARTMENT, null, Set.of("inference"), List.of(), 60, null, null)),
                eq(KeyAuthority.ADMIN), any()))
            .thenReturn(Mono.just(new IssuedApiKey(created, "tf_the-new-secret")));

        client.post()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"  team \",\"departmentId\":\"" + DEPARTMENT + "\",\"scopes\":[\"inference\"],"
                    + "\"rpmLimit\":60}")
            .exchange()
            .expectStatus()
            .isCreated()
            .expectHeader()
            .valueEquals(HttpHeaders.LOCATION, "/api/keys/" + created.id())
            .expectBody()
            .jsonPath("$.secret")
            .isEqualTo("tf_the-new-secret")
            .jsonPath("$.key.id")
            .isEqualTo(created.id().toString())
            .jsonPath("$.key.status")
            .isEqualTo("ACTIVE");
    }

    @Test
    void anInvalidRequestIsRefusedFieldByFieldBeforeAnythingIsIssued() {
        client.post()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\" \",\"scopes\":[],\"rpmLimit\":0}")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("validation_failed")
            .jsonPath("$.errors[*].field")
            .value(fields -> assertThat(fields).asInstanceOf(LIST)
                .containsExactlyInAnyOrder("name", "scopes", "rpmLimit"));
        verify(issuing, never()).issue(any(), any(), any());
    }

    @Test
    void aBodyThatIsNotJsonIsMalformed() {
        client.post()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("malformed_body");
    }

    @Test
    void agentServicesKeyIssuesAsANonAdministratorAndItsRefusalIsAProblem() {
        when(issuing.issue(any(), eq(KeyAuthority.AGENT_SERVICE), any())).thenReturn(Mono.error(ApiProblemException
            .forbidden("An 'agent-keys' key issues only inference keys bound to a department and an agent")));

        client.post()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + AGENT_SERVICE)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"sneaky\",\"scopes\":[\"admin\"]}")
            .exchange()
            .expectStatus()
            .isForbidden()
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("forbidden")
            .jsonPath("$.detail")
            .isEqualTo("An 'agent-keys' key issues only inference keys bound to a department and an agent");
        verify(issuing, never()).issue(any(), eq(KeyAuthority.ADMIN), any());
    }

    @Test
    void aDepartmentUnknownToBillingIsUnprocessable() {
        when(issuing.issue(any(), any(), any())).thenReturn(Mono.error(ApiProblemException
            .unprocessable("unknown_department", "billing-service knows no department " + DEPARTMENT)));

        client.post()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"team\",\"departmentId\":\"" + DEPARTMENT + "\",\"scopes\":[\"inference\"]}")
            .exchange()
            .expectStatus()
            .isEqualTo(422)
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("unknown_department");
    }

    @Test
    void aQueryParameterThatIsNoUuidIsAnInvalidParameter() {
        client.get()
            .uri("/api/keys?departmentId=not-a-uuid")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN)
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("invalid_parameter");
    }

    @Test
    void aKeyWithoutTheAdminScopeMayNotListKeys() {
        client.get()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + DEPARTMENT_KEY)
            .exchange()
            .expectStatus()
            .isForbidden()
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("forbidden")
            .jsonPath("$.error.type")
            .isEqualTo("permission_error");
        verify(keys, never()).list(any());
    }

    @Test
    void withoutAKnownKeyTheAnswerIs401AndNamesTheScheme() {
        client.get()
            .uri("/api/keys")
            .exchange()
            .expectStatus()
            .isUnauthorized()
            .expectHeader()
            .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("invalid_api_key");
        client.get()
            .uri("/api/keys")
            .header(HttpHeaders.AUTHORIZATION, "Bearer tf_nobody-knows-this")
            .exchange()
            .expectStatus()
            .isUnauthorized();
    }

    private void signedIn(String secret, ApiKeyView key) {
        when(keys.authenticateFromCache(secret)).thenReturn(Optional.of(Optional.of(key)));
    }

    private static ApiKeyView key(UUID department, Set<String> scopes) {
        return new ApiKeyView(UUID.randomUUID(), "key", "tf_abc…wxyz", department, null, scopes, List.of(), null, null,
                null, null, Instant.parse("2026-11-05T10:00:00Z"), null);
    }

}
