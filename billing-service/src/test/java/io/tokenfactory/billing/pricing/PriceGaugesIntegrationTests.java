package io.tokenfactory.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.BillingFixtures;
import io.tokenfactory.billing.BillingProperties;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;

/**
 * The rates inference-service routes by, as it scrapes them from
 * {@code /actuator/prometheus}: each node's energy price and its class's capacity rate,
 * and the energy price for a node billing does not know; a new rate moves the node's one
 * series.
 */
@ServiceIntegrationTest
class PriceGaugesIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    PriceGauges gauges;

    @Autowired
    BillingProperties properties;

    @Test
    void showsEachNodesRatesAndMovesThemWhenARateChanges() {
        HttpTestClient admin = HttpTestClient.onPort(port).asAdmin();
        BillingFixtures.ensureTariff(admin);
        String nodeClass = "gauge-" + UUID.randomUUID().toString().substring(0, 8);
        String node = "gpu-node-" + UUID.randomUUID();
        assertThat(admin.put("/api/billing/nodes/" + node, Map.of("nodeClass", nodeClass)).getStatusCode())
            .isEqualTo(HttpStatus.OK);
        assertThat(admin
            .post("/api/billing/capacity-rates", Map.of("nodeClass", nodeClass, "effectiveFrom", "2000-01-01T00:00:00Z",
                    "costPerAcceleratorHour", "12.5"))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String tags = "{currency=\"" + properties.currency() + "\",node=\"" + node + "\"}";

        gauges.refresh();
        String scraped = scrape();
        assertThat(scraped).contains("tokenfactory_billing_node_capacity_rate" + tags + " 12.5",
                "tokenfactory_billing_node_energy_price" + tags + " " + BillingFixtures.TARIFF.doubleValue(),
                "tokenfactory_billing_node_energy_price{currency=\"" + properties.currency() + "\",node=\"*\"} "
                        + BillingFixtures.TARIFF.doubleValue());

        // from now on, not backdated: nothing of the class is charged yet
        assertThat(admin
            .post("/api/billing/capacity-rates", Map.of("nodeClass", nodeClass, "costPerAcceleratorHour", "20.5"))
            .getStatusCode()).isEqualTo(HttpStatus.CREATED);
        gauges.refresh();
        assertThat(Arrays.stream(scrape().split("\n"))
            .filter(line -> line.startsWith("tokenfactory_billing_node_capacity_rate" + tags)))
            .containsExactly("tokenfactory_billing_node_capacity_rate" + tags + " 20.5");
    }

    private String scrape() {
        return HttpTestClient.onPort(port).getText("/actuator/prometheus").getBody();
    }

}
