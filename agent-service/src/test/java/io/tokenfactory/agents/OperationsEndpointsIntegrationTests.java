package io.tokenfactory.agents;

import io.tokenfactory.testsupport.ServletServiceOperationsTest;

class OperationsEndpointsIntegrationTests extends ServletServiceOperationsTest {

}
