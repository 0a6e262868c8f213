package io.tokenfactory.metering.usage;

import static io.tokenfactory.metering.MeteringEvents.deployed;
import static io.tokenfactory.metering.MeteringEvents.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * One model on two nodes, each a deployment, against the real broker and database: the
 * deployment each request names is kept with it, and usage and efficiency group by it
 * (read from the raw records, which keep it); usage from a producer that predates
 * deployments is a group without one.
 */
@ServiceIntegrationTest
class DeploymentUsageIntegrationTests {

    private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Test
    void usageAndEfficiencyGroupByDeployment() {
        UUID department = UUID.randomUUID();
        Instant at = HOUR.plusSeconds(30);
        List<UsageRecorded> records = List.of(
                deployed(department, "llama", "node-h100", "llama-h100", at, 300, 100, 2.0),
                deployed(department, "llama", "node-a10", "llama-a10", at, 100, 50, 3.0),
                deployed(department, "llama", "node-a10", null, at, 10, 10, 1.0));
        records.forEach(record -> publish(streamBridge, record));
        await().atMost(Duration.ofSeconds(20))
            .until(() -> jdbc.queryForObject("SELECT count(*) FROM usage_record WHERE department_id = ?", Long.class,
                    department) == 3);
        assertThat(jdbc.queryForObject("SELECT deployment FROM usage_record WHERE event_id = ?", String.class,
                records.get(0).eventId()))
            .isEqualTo("llama-h100");

        HttpTestClient client = HttpTestClient.onPort(port).withToken(TestTokens.department(department, "usage:read"));
        String window = "from=" + HOUR + "&to=" + HOUR.plus(1, ChronoUnit.HOURS);
        JsonNode usage = client.get("/api/metering/usage?" + window + "&granularity=total&groupBy=deployment")
            .getBody();
        assertThat(usage.get("rows"))
            .extracting(row -> row.path("deployment").asString("(none)") + "=" + row.get("totalTokens").asLong())
            .containsExactly("llama-a10=150", "llama-h100=400", "(none)=20");

        JsonNode efficiency = client.get("/api/metering/efficiency?" + window + "&groupBy=model,deployment").getBody();
        Map<String, JsonNode> byDeployment = new HashMap<>();
        efficiency.get("rows").forEach(row -> byDeployment.put(row.path("deployment").asString("(none)"), row));
        assertThat(byDeployment).containsOnlyKeys("llama-h100", "llama-a10", "(none)");
        assertThat(byDeployment.get("llama-h100").get("tokens").asLong()).isEqualTo(400);
        assertThat(byDeployment.get("llama-h100").get("tokensPerJoule").decimalValue()).isEqualByComparingTo("200");
        assertThat(byDeployment.get("llama-a10").get("tokens").asLong()).isEqualTo(150);
        assertThat(byDeployment.get("llama-a10").get("tokensPerJoule").decimalValue()).isEqualByComparingTo("50");
        assertThat(byDeployment.get("(none)").get("model").asString()).isEqualTo("llama");
        assertThat(byDeployment.get("(none)").get("tokens").asLong()).isEqualTo(20);

        String csv = client
            .getText("/api/metering/usage?" + window + "&granularity=total&groupBy=deployment&format=csv")
            .getBody();
        assertThat(csv.split("\r\n")[0]).startsWith("\"start\",\"deployment\",\"requests\"");
    }

}
