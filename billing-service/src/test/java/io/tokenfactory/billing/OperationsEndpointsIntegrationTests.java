package io.tokenfactory.billing;

import io.tokenfactory.testsupport.ServletServiceOperationsTest;

class OperationsEndpointsIntegrationTests extends ServletServiceOperationsTest {

}
