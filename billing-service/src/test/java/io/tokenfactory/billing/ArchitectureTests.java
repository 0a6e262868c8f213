package io.tokenfactory.billing;

import io.tokenfactory.testsupport.ArchitectureContract;

class ArchitectureTests extends ArchitectureContract {

    ArchitectureTests() {
        super(BillingServiceApplication.class);
    }

}
