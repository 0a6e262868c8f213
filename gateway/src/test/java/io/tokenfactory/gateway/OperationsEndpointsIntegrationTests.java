package io.tokenfactory.gateway;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.OperationsEndpointsContract;

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

}
