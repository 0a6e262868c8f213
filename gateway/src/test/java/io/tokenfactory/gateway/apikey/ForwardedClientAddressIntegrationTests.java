package io.tokenfactory.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.TestPropertySource;

/**
 * Behind an Ingress every client arrives from the proxy's address. With
 * {@code TF_FORWARD_HEADERS_STRATEGY=native} (the Kubernetes manifests set it) the
 * gateway takes the client's address from X-Forwarded-For, so one client guessing keys is
 * refused without locking out everyone else behind the same proxy.
 */
@TestPropertySource(properties = "server.forward-headers-strategy=native")
class ForwardedClientAddressIntegrationTests extends GatewayIntegrationTest {

    @Test
    void guessesAreCountedPerForwardedClientNotPerProxy() {
        UUID department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
        String valid = departmentKey(department, "inference").secret();
        // the guesses and the refusal must fall into one minute
        await().atMost(Duration.ofSeconds(15)).until(() -> LocalTime.now(ZoneOffset.UTC).getSecond() < 50);
        for (int i = 0; i < 30; i++) {
            assertThat(models("tf_guess-" + i, "203.0.113.7").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        }

        assertThat(models(valid, "203.0.113.7").getStatusCode()).as("the guessing client")
            .isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(models(valid, "203.0.113.8").getStatusCode()).as("another client behind the same proxy")
            .isEqualTo(HttpStatus.OK);
    }

    private org.springframework.http.ResponseEntity<?> models(String key, String client) {
        return http().getWithHeaders("/v1/models", Map.of("Authorization", "Bearer " + key, "X-Forwarded-For", client));
    }

}
