package io.tokenfactory.inference.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.energy.MeasuredEnergy;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The served side of reconciliation: requests and tokens from the request log, for
 * administrators only.
 */
@ServiceIntegrationTest
class UsageSummaryIntegrationTests {

    private static final Instant WINDOW = Instant.parse("2026-10-02T08:00:00Z");

    @Autowired
    UsageRecording recording;

    @LocalServerPort
    int port;

    @Test
    void countsTheRequestsCompletedInTheWindow() {
        record(WINDOW.plusSeconds(10), 12, 30);
        record(WINDOW.plusSeconds(3599), 8, 2);
        record(WINDOW.plusSeconds(3600), 1000, 1000);

        ResponseEntity<JsonNode> summary = HttpTestClient.onPort(port)
            .asAdmin()
            .get("/api/inference/usage-summary?from=" + WINDOW + "&to=" + WINDOW.plusSeconds(3600));

        assertThat(summary.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(summary.getBody().get("requests").asLong()).isEqualTo(2);
        assertThat(summary.getBody().get("promptTokens").asLong()).isEqualTo(20);
        assertThat(summary.getBody().get("completionTokens").asLong()).isEqualTo(32);
    }

    @Test
    void refusesDepartmentKeysAndBadWindows() {
        ResponseEntity<JsonNode> department = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "inference usage:read"))
            .get("/api/inference/usage-summary?from=" + WINDOW + "&to=" + WINDOW.plusSeconds(60));
        assertThat(department.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        ResponseEntity<JsonNode> backwards = HttpTestClient.onPort(port)
            .asAdmin()
            .get("/api/inference/usage-summary?from=" + WINDOW + "&to=" + WINDOW.minusSeconds(60));
        assertThat(backwards.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(backwards.getBody().get("code").asString()).isEqualTo("invalid_parameter");
    }

    private void record(Instant completedAt, long prompt, long completion) {
        FinishedRequest served = new FinishedRequest("req-" + UUID.randomUUID(),
                new Caller(UUID.randomUUID(), UUID.randomUUID(), null, Set.of("inference")), null, "tf-tiny", "djl",
                "local", null, "cpu", prompt, completion, UsageOutcome.COMPLETED, completedAt.minusMillis(500),
                completedAt, 50, false);
        recording.logServed(served);
        recording.settle(served.requestId(), new MeasuredEnergy(1.0, 0.5, EnergySource.ESTIMATED, 0));
    }

}
