package io.tokenfactory.agents;

import io.tokenfactory.testsupport.ArchitectureContract;

class ArchitectureTests extends ArchitectureContract {

    ArchitectureTests() {
        super(AgentServiceApplication.class);
    }

}
