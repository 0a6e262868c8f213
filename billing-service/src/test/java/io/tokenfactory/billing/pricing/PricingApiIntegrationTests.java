package io.tokenfactory.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * The price book's API: append-only, effective-dated, and every bad input refused with
 * nothing changed.
 */
@ServiceIntegrationTest
class PricingApiIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void registersModelsAndEffectiveDatedRateCards() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        String model = "llama-" + UUID.randomUUID();
        assertThat(admin.post("/api/billing/models", Map.of("name", model, "task", "GENERATION")).getStatusCode())
            .isEqualTo(HttpStatus.CREATED);
        ResponseEntity<JsonNode> first = admin.post("/api/billing/rate-cards", Map.of("model", model, "effectiveFrom",
                "2030-01-01T00:00:00Z", "promptPerMillion", "0.50", "completionPerMillion", "1.50"));
        ResponseEntity<JsonNode> second = admin.post("/api/billing/rate-cards", Map.of("model", model, "effectiveFrom",
                "2030-02-01T00:00:00Z", "promptPerMillion", "0.40", "completionPerMillion", "1.20"));
        assertThat(first.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(second.getStatusCode()).isEqualTo(HttpStatus.CREATED);

        ResponseEntity<JsonNode> cards = admin.get("/api/billing/rate-cards?model=" + model);
        assertThat(cards.getBody()).hasSize(2);
        assertThat(cards.getBody().get(1).get("promptPerMillion").decimalValue()).isEqualByComparingTo("0.40");
        // every caller may read prices
        ResponseEntity<JsonNode> asDepartment = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "billing:read"))
            .get("/api/billing/rate-cards?model=" + model);
        assertThat(asDepartment.getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void refusesBadPricesUnknownModelsAndOverlappingDatesAndChangesNothing() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        String model = "mistral-" + UUID.randomUUID();
        admin.post("/api/billing/models", Map.of("name", model, "task", "GENERATION"));
        admin.post("/api/billing/rate-cards", Map.of("model", model, "effectiveFrom", "2031-01-01T00:00:00Z",
                "promptPerMillion", "1", "completionPerMillion", "2"));
        long cardsBefore = count("rate_card");
        long modelsBefore = count("priced_model");

        assertProblem(
                admin.post("/api/billing/rate-cards",
                        Map.of("model", model, "promptPerMillion", "-1", "completionPerMillion", "2")),
                HttpStatus.BAD_REQUEST, null);
        assertProblem(
                admin.post("/api/billing/rate-cards",
                        Map.of("model", "no-such-model", "promptPerMillion", "1", "completionPerMillion", "2")),
                HttpStatus.UNPROCESSABLE_CONTENT, "unknown_model");
        assertProblem(
                admin.post("/api/billing/rate-cards", Map.of("model", model, "effectiveFrom", "2031-01-01T00:00:00Z",
                        "promptPerMillion", "3", "completionPerMillion", "4")),
                HttpStatus.CONFLICT, "rate_card_exists");
        assertProblem(admin.post("/api/billing/models", Map.of("name", model, "task", "GENERATION")),
                HttpStatus.CONFLICT, "model_exists");
        assertProblem(admin.post("/api/billing/models", Map.of("name", "x", "task", "DANCING")), HttpStatus.BAD_REQUEST,
                null);
        assertProblem(admin.postRaw("/api/billing/rate-cards", "{\"model\": \"" + model + "\", \"promptPerMillion\": "),
                HttpStatus.BAD_REQUEST, null);
        assertProblem(admin.post("/api/billing/energy-tariffs", Map.of("pricePerKwh", "-0.1")), HttpStatus.BAD_REQUEST,
                null);
        ResponseEntity<JsonNode> departmentWrite = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "billing:read"))
            .post("/api/billing/models", Map.of("name", "sneaky", "task", "GENERATION"));
        assertThat(departmentWrite.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        assertThat(count("rate_card")).isEqualTo(cardsBefore);
        assertThat(count("priced_model")).isEqualTo(modelsBefore);
    }

    private long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    private static void assertProblem(ResponseEntity<JsonNode> response, HttpStatus status, String code) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getHeaders().getContentType().toString()).isEqualTo("application/problem+json");
        if (code != null) {
            assertThat(response.getBody().get("code").asString()).isEqualTo(code);
        }
    }

}
