package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * Every event of the chain, through the five real services: a department's requests
 * through the gateway are served by inference-service ({@code usage-recorded}), metered
 * ({@code usage-metered}) and billed, each exactly once; its budget crossing
 * ({@code budget-status-changed}) reaches agent-service, which pauses the department's
 * agent, and, once the cap is made hard, the gateway, which refuses the department's key.
 * Runs on RabbitMQ with the shared factory, and on Kafka in the {@code kafka-event-flow}
 * execution.
 */
class EventChainSystemTests {

    @Test
    void aDepartmentsUsageReachesItsBillOnceAndItsBudgetCrossingStopsItsKeyAndItsAgent() {
        WholeFactory factory = WholeFactory.get();
        factory.seedPrices();
        HttpTestClient admin = factory.admin();
        // byte-lm-moby at 0.50 / 1.50 per million tokens: a request of about 60 tokens
        // costs about 0.00008, so a
        // budget of 0.0003 is crossed after a handful of requests
        // no hard cap yet: nothing is refused at the door, so the usage crosses the
        // budget
        String name = "Chain " + UUID.randomUUID();
        String costCentre = "CC-CHAIN-" + UUID.randomUUID().toString().substring(0, 8);
        ResponseEntity<JsonNode> created = admin.post("/api/billing/departments", Map.of("name", name, "costCentreCode",
                costCentre, "monthlyBudget", "0.0003", "softAlertPercent", 50, "hardCap", false));
        assertThat(created.getStatusCode()).as("%s", created.getBody()).isEqualTo(HttpStatus.CREATED);
        UUID department = UUID.fromString(created.getBody().get("id").asString());
        WholeFactory.IssuedKey key = factory.key(department, List.of("inference"));
        ResponseEntity<JsonNode> agent = admin.post("/api/agents",
                Map.of("name", "chain-agent", "departmentId", department, "model", "byte-lm-moby", "instructions",
                        "Say one word.", "tools", List.of(), "trigger", Map.of("kind", "MANUAL"), "limits",
                        Map.of("maxSteps", 1, "maxTokensPerRun", 100)));
        assertThat(agent.getStatusCode()).as("%s", agent.getBody()).isEqualTo(HttpStatus.CREATED);
        String agentId = agent.getBody().get("id").asString();
        assertThat(admin.post("/api/agents/" + agentId + "/activate", null).getStatusCode()).isEqualTo(HttpStatus.OK);

        HttpTestClient client = factory.client(key.secret());
        Map<String, Object> chat = Map.of("model", "byte-lm-moby", "max_tokens", 32, "messages",
                List.of(Map.of("role", "user", "content", "Count to three.")));
        int served = 0;
        for (int i = 0; i < 8; i++) {
            if (client.post("/v1/chat/completions", chat).getStatusCode() == HttpStatus.OK) {
                served++;
            }
        }
        assertThat(served).as("requests served under a budget without a hard cap").isEqualTo(8);

        await("agent-service paused the department's agent for its budget").atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode state = admin.get("/api/agents/" + agentId).getBody();
            return state.path("state").toString().contains("PAUSED")
                    && state.path("stateReason").toString().toUpperCase().contains("BUDGET");
        });

        JdbcTemplate inference = factory.inference.bean(JdbcTemplate.class);
        JdbcTemplate metering = factory.metering.bean(JdbcTemplate.class);
        JdbcTemplate billing = factory.billing.bean(JdbcTemplate.class);
        String perDepartment = " WHERE department_id = ?";
        await("every request served is metered and billed").atMost(Duration.ofSeconds(60)).until(() -> {
            long requests = count(inference, "SELECT count(*) FROM inference_request" + perDepartment, department);
            return requests > 0
                    && count(metering, "SELECT count(*) FROM usage_record" + perDepartment, department) == requests
                    && count(billing, "SELECT count(*) FROM usage_charge" + perDepartment, department) == requests;
        });
        // once each, to the token, and the department's spend is exactly the sum of its
        // charges
        assertThat(count(billing, "SELECT sum(prompt_tokens + completion_tokens) FROM usage_charge" + perDepartment,
                department))
            .isEqualTo(count(inference,
                    "SELECT sum(prompt_tokens + completion_tokens) FROM inference_request" + perDepartment,
                    department));
        BigDecimal charges = billing.queryForObject("SELECT sum(charge) FROM usage_charge" + perDepartment,
                BigDecimal.class, department);
        assertThat(billing.queryForObject("SELECT sum(charge) FROM department_spend" + perDepartment, BigDecimal.class,
                department))
            .isEqualByComparingTo(charges);
        // each crossing announced once (a batch of usage may cross both thresholds at
        // once: then EXCEEDED alone)
        assertThat(billing.queryForList("SELECT serialized_event::json ->> 'state' FROM (SELECT event_type, "
                + "serialized_event, publication_date FROM event_publication UNION ALL SELECT event_type, "
                + "serialized_event, publication_date FROM event_publication_archive) p WHERE event_type LIKE "
                + "'%BudgetStatusChanged%' AND serialized_event::json ->> 'departmentId' = ? ORDER BY publication_date",
                String.class, department.toString()))
            .doesNotHaveDuplicates()
            .endsWith("EXCEEDED");

        // the cap made hard: billing announces it, and the gateway refuses the department
        // at the door
        assertThat(admin
            .put("/api/billing/departments/" + department,
                    Map.of("name", name, "costCentreCode", costCentre, "monthlyBudget", "0.0003", "softAlertPercent",
                            50, "hardCap", true))
            .getStatusCode()).isEqualTo(HttpStatus.OK);
        await("the gateway refuses the department once billing reported its hard cap").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> {
                ResponseEntity<JsonNode> refused = client.post("/v1/chat/completions", chat);
                return refused.getStatusCode() == HttpStatus.PAYMENT_REQUIRED
                        && refused.getBody().toString().contains("budget_exceeded");
            });
    }

    private static long count(JdbcTemplate jdbc, String sql, UUID department) {
        Long count = jdbc.queryForObject(sql, Long.class, department);
        return count == null ? 0 : count;
    }

}
