package io.tokenfactory.testsupport;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * {@link OperationsEndpointsContract} for a servlet service on its shared
 * {@link ServiceIntegrationTest} context: a service's
 * {@code OperationsEndpointsIntegrationTests} extends this and adds only its own checks.
 */
@ServiceIntegrationTest
public abstract class ServletServiceOperationsTest implements OperationsEndpointsContract {

    @LocalServerPort
    protected int port;

    @Value("${spring.application.name}")
    protected String serviceName;

    @Override
    public int port() {
        return port;
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

}
