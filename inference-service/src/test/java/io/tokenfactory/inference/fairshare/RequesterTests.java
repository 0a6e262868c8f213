package io.tokenfactory.inference.fairshare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.security.IdentityClaims;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Whose fair share a request uses, read from the gateway's identity token.
 */
class RequesterTests {

    private static final UUID DEPARTMENT = UUID.randomUUID();

    @Test
    void theKeysPriorityClassComesFromTheIdentityTokenAndIsInteractiveWhenAbsentOrUnknown() {
        assertThat(requester(IdentityClaims.PRIORITY_BATCH)).isEqualTo(new Requester(DEPARTMENT, Priority.BATCH));
        assertThat(requester(IdentityClaims.PRIORITY_INTERACTIVE))
            .isEqualTo(new Requester(DEPARTMENT, Priority.INTERACTIVE));
        assertThat(requester(null)).isEqualTo(new Requester(DEPARTMENT, Priority.INTERACTIVE));
        assertThat(requester("urgent")).isEqualTo(new Requester(DEPARTMENT, Priority.INTERACTIVE));
    }

    @Test
    void metricsNameTheClassAsTheClaimDoes() {
        assertThat(Priority.BATCH.tag()).isEqualTo(IdentityClaims.PRIORITY_BATCH);
        assertThat(Priority.INTERACTIVE.tag()).isEqualTo(IdentityClaims.PRIORITY_INTERACTIVE);
    }

    private static Requester requester(String priority) {
        Jwt.Builder jwt = Jwt.withTokenValue("token")
            .header("alg", "ES256")
            .claim(IdentityClaims.DEPARTMENT_ID, DEPARTMENT.toString())
            .claim(IdentityClaims.SCOPE, "inference");
        if (priority != null) {
            jwt.claim(IdentityClaims.PRIORITY, priority);
        }
        Caller caller = Caller.of(jwt.build());
        assertThat(caller.priority()).isEqualTo(priority);
        return Requester.of(caller);
    }

}
