package io.tokenfactory.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenfactory.gateway.apikey.NewApiKey;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.OperationsEndpointsContract;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class OperationsEndpointsIntegrationTests extends GatewayIntegrationTest implements OperationsEndpointsContract {

    @Override
    public int port() {
        return gatewayPort;
    }

    @Override
    public String serviceName() {
        return "gateway";
    }

    @Override
    public HttpTestClient authorized(HttpTestClient client) {
        return client.withToken(adminKey().secret());
    }

    @Override
    public HttpTestClient scraper(HttpTestClient client) {
        return client.withToken(scraperKey());
    }

    /**
     * The Ingress exposes the gateway: its metrics and build info answer a scraper's key
     * ({@code metrics:read}) or an administrator's, nobody else; that key opens nothing
     * else.
     */
    @Test
    void metricsAndBuildInfoNeedAScrapersKey() {
        String department = departmentKey(java.util.UUID.randomUUID(), "inference", "usage:read", "billing:read")
            .secret();
        for (String path : java.util.List.of("/actuator/prometheus", "/actuator/info")) {
            assertThat(http().getText(path).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(http().withToken(department).getText(path).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
            assertThat(http().withToken(scraperKey()).getText(path).getStatusCode()).isEqualTo(HttpStatus.OK);
        }
        assertThat(http().getText("/actuator/health/readiness").getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(http().withToken(scraperKey()).get("/api/keys").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(http().withToken(scraperKey()).get("/v1/models").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    private String scraperKey() {
        return apiKeys
            .issue(new NewApiKey("prometheus", null, null, java.util.Set.of("metrics:read"), java.util.List.of(), null,
                    null, null))
            .secret();
    }

}
