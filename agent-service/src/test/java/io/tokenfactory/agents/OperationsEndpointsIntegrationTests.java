package io.tokenfactory.agents;

import io.tokenfactory.testsupport.OperationsEndpointsContract;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

@ServiceIntegrationTest
class OperationsEndpointsIntegrationTests extends OperationsEndpointsContract {
}
