package io.tokenfactory.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServletServiceOperationsTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class OperationsEndpointsIntegrationTests extends ServletServiceOperationsTest {

    @Test
    void servesTheOpenAiApiOnlyToKeysWithTheInferenceScope() {
        HttpTestClient http = HttpTestClient.onPort(port);

        assertThat(http.withToken(TestTokens.department(UUID.randomUUID(), "usage:read"))
            .get("/v1/models")
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(http.withToken(TestTokens.department(UUID.randomUUID(), "inference"))
            .get("/v1/nothing-here")
            .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

}
