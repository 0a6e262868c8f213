package io.tokenfactory.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * What operators may rely on in every service: health probes, build info, Prometheus
 * metrics, nothing else of actuator exposed, no entry without credentials, and problem
 * details for unknown paths. A service's test class implements this interface (keeping
 * whatever Spring context the service's other tests share).
 */
public interface OperationsEndpointsContract {

    /** The port the service under test listens on. */
    int port();

    /**
     * The service's {@code spring.application.name}, which is also its Maven artifact.
     */
    String serviceName();

    /**
     * The client with credentials that pass this service's authentication as an
     * administrator.
     */
    default HttpTestClient authorized(HttpTestClient client) {
        return client.asAdmin();
    }

    /**
     * The client as a metrics scraper: no credentials for a service (reached only inside
     * the cluster); the gateway, which the Ingress exposes, asks for a scraper's key.
     */
    default HttpTestClient scraper(HttpTestClient client) {
        return client;
    }

    private HttpTestClient http() {
        return HttpTestClient.onPort(port());
    }

    @Test
    default void reportsLiveAndReadyThroughHealthProbes() {
        assertThat(http().get("/actuator/health/liveness").getBody().get("status").asString()).isEqualTo("UP");
        assertThat(http().get("/actuator/health/readiness").getBody().get("status").asString()).isEqualTo("UP");
    }

    @Test
    default void tellsWhichBuildIsRunning() {
        ResponseEntity<JsonNode> info = scraper(http()).get("/actuator/info");

        assertThat(info.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(info.getBody().at("/build/artifact").asString()).isEqualTo(serviceName());
    }

    @Test
    default void exposesPrometheusMetricsAndNoOtherActuatorEndpoint() {
        assertThat(scraper(http()).getText("/actuator/prometheus").getBody()).contains("jvm_memory_used_bytes");
        assertThat(authorized(http()).get("/actuator/env").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(authorized(http()).get("/actuator/beans").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    default void refusesCallsWithoutValidCredentials() {
        for (HttpTestClient caller : List.of(http(), http().withToken("not-a-jwt"),
                http().withToken(TestTokens.forged()))) {
            ResponseEntity<JsonNode> refused = caller.get("/api/anything");

            assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(refused.getHeaders().getContentType()).hasToString("application/problem+json");
            assertThat(refused.getBody().get("code").asString()).isIn("unauthorized", "invalid_api_key");
        }
    }

    @Test
    default void answersUnknownPathsWithAProblemDetail() {
        ResponseEntity<JsonNode> missing = authorized(http()).get("/api/no-such-thing");

        assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(missing.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(missing.getBody().get("code").asString()).isEqualTo("not_found");
        assertThat(missing.getBody().get("type").asString()).isEqualTo("https://tokenfactory.io/problems/not_found");
    }

}
