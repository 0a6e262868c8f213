package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.tokenfactory.deploy.MonitoringQueries;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboards and the alert rules under deploy/ watch what the services really
 * export: after some traffic through the gateway, every metric they name is in a scrape
 * of one of the five running services.
 */
class MonitoringSystemTests {

    /**
     * Meters that appear only once their first event happened, which this test does not
     * stage: each name with why.
     */
    private static final Map<String, String> AFTER_THEIR_FIRST_EVENT = Map.of(
            "tokenfactory_billing_webhook_deliveries_total", "a budget alert delivered to a webhook",
            "tokenfactory_events_dead_lettered_total", "an event parked as a dead letter",
            "tokenfactory_inference_queue_refused_total", "a request refused by a full fair-share queue",
            "tokenfactory_metering_reconciliation_relayed_difference",
            "a reconciliation over a whole hour, since ended, with traffic through the gateway (the gateway's "
                    + "relayed counts cover whole hours only)");

    private static WholeFactory factory;

    private static String scrapeKey;

    @BeforeAll
    static void sendSomeTraffic() {
        factory = WholeFactory.get();
        factory.seedPrices();
        String run = UUID.randomUUID().toString().substring(0, 6);
        UUID department = factory.department("Monitoring " + run, "MON-" + run);
        String key = factory.key(department, List.of("inference")).secret();
        for (String model : List.of("simulated-llm", "byte-lm-moby")) {
            ResponseEntity<JsonNode> completion = factory.client(key)
                .post("/v1/chat/completions", Map.of("model", model, "max_tokens", 8, "messages",
                        List.of(Map.of("role", "user", "content", "What does a dashboard watch?"))));
            assertThat(completion.getStatusCode()).as("%s", completion.getBody()).isEqualTo(HttpStatus.OK);
        }
        // one agent run, for the agents' run meters
        String agent = factory.admin()
            .post("/api/agents",
                    Map.of("name", "monitored-" + run, "departmentId", department, "model", "simulated-llm",
                            "instructions", "Say one word.", "trigger", Map.of("kind", "MANUAL"), "limits",
                            Map.of("maxSteps", 1, "maxTokensPerRun", 200)))
            .getBody()
            .get("id")
            .asString();
        assertThat(factory.admin().post("/api/agents/" + agent + "/activate", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        assertThat(factory.admin().post("/api/agents/" + agent + "/runs", Map.of()).getStatusCode())
            .isEqualTo(HttpStatus.ACCEPTED);
        ResponseEntity<JsonNode> scraper = factory.admin()
            .post("/api/keys", Map.of("name", "prometheus " + run, "scopes", List.of("metrics:read")));
        assertThat(scraper.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        scrapeKey = scraper.getBody().get("secret").asString();
    }

    @Test
    void everyMetricTheDashboardsAndAlertRulesNameIsExportedByAService() {
        Set<String> named = new TreeSet<>(MonitoringQueries.metricNames());
        assertThat(named).as("the dashboards and rules name metrics").hasSizeGreaterThan(20);
        named.removeAll(AFTER_THEIR_FIRST_EVENT.keySet());

        // the gauges computed from the books refresh every minute
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
            String scraped = scrapeAll();
            assertThat(named).filteredOn(name -> !exported(scraped, name))
                .as("named but exported by no service")
                .isEmpty();
        });
    }

    private static String scrapeAll() {
        StringBuilder all = new StringBuilder();
        for (RunningService service : List.of(factory.billing, factory.inference, factory.metering, factory.agents)) {
            all.append(HttpTestClient.onPort(service.port()).getText("/actuator/prometheus").getBody()).append('\n');
        }
        all.append(factory.client(scrapeKey).getText("/actuator/prometheus").getBody());
        return all.toString();
    }

    private static boolean exported(String scraped, String name) {
        return scraped.contains("\n" + name + "{") || scraped.contains("\n" + name + " ");
    }

}
