package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * Chargeback as a FinOps team uses it, through the gateway: an administrator makes a
 * department showback, allows a cost tag key and sets the grid carbon intensity of the
 * simulated GPU node; the department's requests, made with a key tagged with a team, a
 * project and a cost code and each naming its end user, come back as emissions per 1,000
 * tokens, usage per user, usage, efficiency and cost per token per team and project, and
 * as FOCUS 1.2 rows marked showback that carry the tags.
 */
class ChargebackSystemTests {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aShowbackDepartmentSeesItsEmissionsUsersAndFocusRowsThroughTheGateway() {
        WholeFactory factory = WholeFactory.get();
        factory.seedPrices();
        HttpTestClient admin = factory.admin();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        UUID department = factory.department("Lab " + suffix, "CC-L-" + suffix);
        ResponseEntity<JsonNode> showback = admin.put("/api/billing/departments/" + department,
                Map.of("name", "Lab " + suffix, "costCentreCode", "CC-L-" + suffix, "monthlyBudget", "100",
                        "billingMode", "SHOWBACK"));
        assertThat(showback.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(showback.getBody().get("billingMode").asString()).isEqualTo("SHOWBACK");
        // the key carries cost tags: team and project always allowed, costcode once the
        // administrator allows it
        Map<String, Object> keySpec = Map.of("name", "lab key", "departmentId", department, "scopes",
                List.of("inference", "usage:read", "billing:read"), "tags",
                Map.of("team", "search", "project", "rag", "costcode", "CC-7"));
        JsonNode rules = admin.get("/api/tags").getBody();
        List<String> allowed = new java.util.ArrayList<>();
        rules.get("allowedKeys").forEach(key -> allowed.add(key.asString()));
        allowed.remove("costcode");
        assertThat(admin.put("/api/tags/allowed-keys", Map.of("keys", allowed)).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        ResponseEntity<JsonNode> refused = admin.post("/api/keys", keySpec);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(refused.getBody().get("code").asString()).isEqualTo("tag_not_allowed");
        allowed.add("costcode");
        assertThat(admin.put("/api/tags/allowed-keys", Map.of("keys", allowed)).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        ResponseEntity<JsonNode> issued = admin.post("/api/keys", keySpec);
        assertThat(issued.getStatusCode()).as("%s", issued.getBody()).isEqualTo(HttpStatus.CREATED);
        assertThat(issued.getBody().at("/key/tags/team").asString()).isEqualTo("search");
        HttpTestClient client = factory.client(issued.getBody().get("secret").asString());
        Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS);
        String window = "from=" + from + "&to=" + from.plus(1, ChronoUnit.HOURS);

        // one request finds the simulated GPU node's name; its intensity applies from now
        chat(client, "carol");
        String node = await().atMost(PATIENCE)
            .until(() -> client.get("/api/metering/usage?" + window + "&granularity=total&groupBy=node").getBody(),
                    body -> body.get("rows").size() == 1)
            .get("rows")
            .get(0)
            .get("node")
            .asString();
        ResponseEntity<JsonNode> intensity = admin.post("/api/metering/carbon-intensities",
                Map.of("scope", "NODE", "target", node, "gramsPerKwh", "380", "source", "system test grid"));
        assertThat(intensity.getStatusCode()).as("%s", intensity.getBody()).isEqualTo(HttpStatus.CREATED);
        // a department reads intensities but may not set them
        assertThat(client
            .post("/api/metering/carbon-intensities", Map.of("scope", "NODE", "target", node, "gramsPerKwh", "1"))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);

        chat(client, "alice");
        chat(client, "bob");

        JsonNode byUser = await().atMost(PATIENCE)
            .until(() -> client.get("/api/metering/usage?" + window + "&granularity=total&groupBy=user").getBody(),
                    body -> body.get("totals").get("requests").asLong() == 3);
        assertThat(byUser.get("rows")).extracting(row -> row.get("user").asString())
            .containsExactlyInAnyOrder("alice", "bob", "carol");
        JsonNode totals = byUser.get("totals");
        assertThat(totals.get("emissionsGramsCo2e").decimalValue()).isPositive();
        assertThat(totals.get("gramsCo2ePerThousandTokens").decimalValue()).isPositive();
        JsonNode efficiency = client.get("/api/metering/efficiency?" + window + "&groupBy=model").getBody();
        assertThat(efficiency.get("rows").get(0).get("gramsCo2ePerThousandTokens").decimalValue()).isPositive();

        // every request is the team's and project's, in usage, efficiency and cost per
        // token
        JsonNode byTeam = client.get("/api/metering/usage?" + window + "&granularity=total&groupBy=team,project")
            .getBody();
        assertThat(byTeam.get("rows")).singleElement().satisfies(row -> {
            assertThat(row.get("team").asString()).isEqualTo("search");
            assertThat(row.get("project").asString()).isEqualTo("rag");
            assertThat(row.get("requests").asLong()).isEqualTo(3);
        });
        assertThat(client.get("/api/metering/efficiency?" + window + "&groupBy=team").getBody().get("rows"))
            .singleElement()
            .satisfies(row -> assertThat(row.get("team").asString()).isEqualTo("search"));
        JsonNode cost = await().atMost(PATIENCE)
            .until(() -> client.get("/api/billing/cost-per-token?" + window + "&groupBy=team").getBody(),
                    body -> body.get("rows").size() == 1 && body.get("rows").get(0).get("requests").asLong() == 3);
        assertThat(cost.get("rows").get(0).get("team").asString()).isEqualTo("search");

        // the month's FOCUS rows: every request billed, marked showback, no invoice
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        String focus = await().atMost(PATIENCE)
            .until(() -> client.getText("/api/billing/focus?period=" + month).getBody(),
                    body -> body.lines().skip(1).mapToLong(ChargebackSystemTests::requests).sum() == 3);
        assertThat(focus.lines().findFirst().orElseThrow()).startsWith("\"AvailabilityZone\",\"BilledCost\"");
        assertThat(focus.lines().skip(1)).allSatisfy(row -> assertThat(row).contains("\"" + department + "\"",
                "\"Showback\"", "\"AI and Machine Learning\""));
        // the department's own tags in FOCUS Tags, unprefixed beside the platform's
        assertThat(focus.lines().skip(1).filter(row -> row.contains("Inference on"))).allSatisfy(row -> assertThat(row)
            .contains("\"\"team\"\":\"\"search\"\"", "\"\"costcode\"\":\"\"CC-7\"\"", "tokenfactory/energy-source"));
        assertThat(client.getText("/api/billing/focus?period=" + month + "&department=" + UUID.randomUUID())
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private static void chat(HttpTestClient client, String user) {
        ResponseEntity<JsonNode> answer = client.post("/v1/chat/completions",
                Map.of("model", "simulated-llm", "max_tokens", 16, "user", user, "messages",
                        List.of(Map.of("role", "user", "content", "Tell the factory a story."))));
        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    /** x_Requests of a FOCUS row: the fifth cell from the end. */
    private static long requests(String row) {
        String[] cells = row.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
        return Long.parseLong(cells[cells.length - 5]);
    }

}
