package io.tokenfactory.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;

@ServiceIntegrationTest
class OperationsEndpointsIntegrationTests {

    @LocalServerPort
    int port;

    @Test
    void exposesLivenessReadinessInfoAndPrometheusButNothingElse() {
        HttpTestClient http = HttpTestClient.onPort(port);

        assertThat(http.get("/actuator/health/liveness").getBody().get("status").asString()).isEqualTo("UP");
        assertThat(http.get("/actuator/health/readiness").getBody().get("status").asString()).isEqualTo("UP");
        assertThat(http.get("/actuator/info").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(http.getText("/actuator/prometheus").getBody()).contains("jvm_memory_used_bytes");
        assertThat(http.get("/actuator/env").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }
}
