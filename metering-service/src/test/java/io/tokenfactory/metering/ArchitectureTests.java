package io.tokenfactory.metering;

import io.tokenfactory.testsupport.ArchitectureContract;

class ArchitectureTests extends ArchitectureContract {

    ArchitectureTests() {
        super(MeteringServiceApplication.class);
    }

}
