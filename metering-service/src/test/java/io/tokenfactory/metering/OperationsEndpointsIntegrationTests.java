package io.tokenfactory.metering;

import io.tokenfactory.testsupport.ServletServiceOperationsTest;

class OperationsEndpointsIntegrationTests extends ServletServiceOperationsTest {

}
