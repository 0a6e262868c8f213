package io.tokenfactory.billing;

import io.tokenfactory.testsupport.OperationsEndpointsContract;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

@ServiceIntegrationTest
class OperationsEndpointsIntegrationTests implements OperationsEndpointsContract {

    @LocalServerPort
    int port;

    @Value("${spring.application.name}")
    String serviceName;

    @Override
    public int port() {
        return port;
    }

    @Override
    public String serviceName() {
        return serviceName;
    }
}
