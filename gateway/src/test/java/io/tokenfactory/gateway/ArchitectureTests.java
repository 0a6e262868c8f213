package io.tokenfactory.gateway;

import io.tokenfactory.testsupport.ArchitectureContract;

class ArchitectureTests extends ArchitectureContract {

    ArchitectureTests() {
        super(GatewayApplication.class);
    }

}
