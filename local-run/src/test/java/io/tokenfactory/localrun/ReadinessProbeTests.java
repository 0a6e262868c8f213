package io.tokenfactory.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import org.junit.jupiter.api.Test;

class ReadinessProbeTests {

    final ReadinessProbe probe = new ReadinessProbe(Duration.ofSeconds(2));

    @Test
    void aServiceIsReadyOnlyWhenItsReadinessGroupAnswersUp() {
        try (StubHttpServer up = new StubHttpServer(); StubHttpServer down = new StubHttpServer()) {
            up.route("GET", "/actuator/health/readiness", request -> Response.json(200, "{\"status\":\"UP\"}"));
            down.route("GET", "/actuator/health/readiness",
                    request -> Response.json(503, "{\"status\":\"OUT_OF_SERVICE\"}"));

            assertThat(probe.ready(up.url())).isTrue();
            assertThat(probe.ready(down.url())).isFalse();
            assertThat(up.requests()).extracting(StubHttpServer.Request::path)
                .containsExactly("/actuator/health/readiness");
        }
    }

    @Test
    void aServiceThatDoesNotListenIsNotReady() {
        StubHttpServer stopped = new StubHttpServer();
        stopped.close();

        assertThat(probe.ready(stopped.url())).isFalse();
    }

}
