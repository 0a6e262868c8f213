package io.tokenfactory.testsupport;

import static org.mockito.BDDMockito.given;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Bearer tokens a slice test's mocked {@link JwtDecoder} reads as the gateway's identity
 * tokens would be (no keys, no signatures: the slice tests the service's web layer and
 * its security rules, not the token's verification).
 */
public final class MockedIdentityTokens {

    private final JwtDecoder decoder;

    public MockedIdentityTokens(JwtDecoder decoder) {
        this.decoder = decoder;
    }

    /** An administrator's token: every scope, no department. */
    public String admin() {
        return token(null, "admin usage:read inference");
    }

    /** A department's token with the given space-separated scopes. */
    public String department(UUID department, String scopes) {
        return token(department, scopes);
    }

    private String token(UUID department, String scopes) {
        String value = UUID.randomUUID().toString();
        Map<String, Object> claims = new HashMap<>();
        claims.put("scope", scopes);
        claims.put("key_id", UUID.randomUUID().toString());
        if (department != null) {
            claims.put("department_id", department.toString());
        }
        given(decoder.decode(value)).willReturn(Jwt.withTokenValue(value)
            .header("alg", "ES256")
            .claims(all -> all.putAll(claims))
            .issuedAt(Instant.now())
            .expiresAt(Instant.now().plusSeconds(300))
            .build());
        return "Bearer " + value;
    }

}
