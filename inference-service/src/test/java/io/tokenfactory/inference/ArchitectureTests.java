package io.tokenfactory.inference;

import io.tokenfactory.testsupport.ArchitectureContract;

class ArchitectureTests extends ArchitectureContract {

    ArchitectureTests() {
        super(InferenceServiceApplication.class);
    }

}
