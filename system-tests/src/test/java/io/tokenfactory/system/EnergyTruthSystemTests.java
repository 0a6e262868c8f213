package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The source on every figure, through the gateway as a department and its administrator
 * see it: a department chats with the local model (its joules estimated from CPU time)
 * and with a model on the SIMULATED GPU node (its joules read from the node's DCGM-format
 * counters). Usage, efficiency and cost per token say which is which, tokens per joule
 * never mixes them up, the node and its meter are listed, and reconciliation finds served
 * = metered = billed for requests, tokens and joules.
 */
class EnergyTruthSystemTests {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void everyEnergyFigureSaysWhereItCameFromAndTheBooksAgreeToTheJoule() {
        WholeFactory factory = WholeFactory.get();
        factory.seedPrices();
        UUID department = factory.department("Energy " + UUID.randomUUID().toString().substring(0, 8),
                "CC-E-" + UUID.randomUUID().toString().substring(0, 8));
        HttpTestClient client = factory
            .client(factory.key(department, List.of("inference", "usage:read", "billing:read")).secret());
        Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS);
        for (String model : List.of("byte-lm-moby", "simulated-llm")) {
            for (boolean stream : List.of(false, true)) {
                Map<String, Object> chat = Map.of("model", model, "max_tokens", 24, "stream", stream, "messages",
                        List.of(Map.of("role", "user", "content", "Tell the factory a story.")));
                if (stream) {
                    assertThat(client.postForText("/v1/chat/completions", chat).getBody()).endsWith("data: [DONE]\n\n");
                }
                else {
                    assertThat(client.post("/v1/chat/completions", chat).getStatusCode()).isEqualTo(HttpStatus.OK);
                }
            }
        }
        Instant to = from.plus(1, ChronoUnit.HOURS);
        String window = "from=" + from + "&to=" + to;

        // metered, per model and source: the local model's joules estimated, the GPU
        // node's measured by DCGM
        JsonNode usage = await().atMost(PATIENCE)
            .until(() -> client.get("/api/metering/usage?" + window + "&granularity=total&groupBy=model,energySource")
                .getBody(), body -> body.get("rows").size() == 2 && body.get("totals").get("requests").asLong() == 4);
        assertThat(usage.get("rows"))
            .extracting(row -> row.get("model").asString() + "/" + row.get("energySource").asString())
            .containsExactly("byte-lm-moby/ESTIMATED", "simulated-llm/DCGM");
        assertThat(usage.get("rows"))
            .allSatisfy(row -> assertThat(row.get("energyJoules").decimalValue()).isPositive());

        JsonNode efficiency = client.get("/api/metering/efficiency?" + window + "&groupBy=model").getBody();
        JsonNode gpu = row(efficiency, "model", "simulated-llm");
        assertThat(gpu.get("energySources").propertyNames()).containsExactly("DCGM");
        assertThat(gpu.get("tokensPerJoule").decimalValue()).isPositive();
        assertThat(row(efficiency, "model", "byte-lm-moby").get("energySources").propertyNames())
            .containsExactly("ESTIMATED");

        // billed: cost per token carries the mix, busy and fully loaded
        JsonNode cost = await().atMost(PATIENCE)
            .until(() -> client.get("/api/billing/cost-per-token?" + window + "&groupBy=model").getBody(),
                    body -> body.get("rows").size() == 2);
        assertThat(row(cost, "model", "simulated-llm").get("energySources").propertyNames()).containsExactly("DCGM");
        assertThat(row(cost, "model", "simulated-llm").get("capacityCost").decimalValue()).isPositive();
        assertThat(row(cost, "model", "simulated-llm").has("fullyLoadedCostPerMillionTokens")).isTrue();

        // the administrator sees the node and its meter, and the books agree to the joule
        JsonNode nodes = factory.admin().get("/api/inference/nodes").getBody();
        assertThat(row(nodes, "node", "simulated-gpu-node").get("source").asString()).isEqualTo("DCGM");
        assertThat(row(nodes, "node", "simulated-gpu-node").get("nodeClass").asString()).isEqualTo("simulated-h100");
        assertThat(client.get("/api/inference/nodes").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        JsonNode reconciliation = await().atMost(PATIENCE)
            .until(() -> factory.admin().get("/api/metering/reconciliation?" + window).getBody(),
                    body -> departmentRows(body, department).stream().allMatch(r -> r.get("balanced").asBoolean())
                            && departmentRows(body, department).size() == 2);
        for (JsonNode row : departmentRows(reconciliation, department)) {
            assertThat(row.at("/served/requests").asLong()).isEqualTo(2);
            assertThat(row.at("/metered/energyJoules").decimalValue()).isPositive()
                .isCloseTo(row.at("/served/energyJoules").decimalValue(), within(new BigDecimal("0.000001")));
            assertThat(row.at("/billed/energyJoules").decimalValue())
                .isEqualByComparingTo(row.at("/metered/energyJoules").decimalValue());
        }
        assertThat(reconciliation.get("unavailable")).isEmpty();
        ResponseEntity<JsonNode> asDepartment = client.get("/api/metering/reconciliation?" + window);
        assertThat(asDepartment.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private static List<JsonNode> departmentRows(JsonNode reconciliation, UUID department) {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode row : reconciliation.get("rows")) {
            if (department.toString().equals(row.get("department").asString())) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static JsonNode row(JsonNode report, String field, String value) {
        JsonNode rows = report.has("rows") ? report.get("rows") : report;
        for (JsonNode row : rows) {
            if (value.equals(row.path(field).asString())) {
                return row;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + report);
    }

}
