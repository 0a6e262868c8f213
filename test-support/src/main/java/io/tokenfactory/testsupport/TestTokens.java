package io.tokenfactory.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Stands in for the gateway's identity tokens in a service's tests: a key pair of its
 * own, its public half served as a JWK set on localhost (which {@link TestInfrastructure}
 * points the service at), and tokens with the claims the gateway would mint.
 */
public final class TestTokens {

    private static final String ISSUER = "urn:tokenfactory:gateway";

    private static final String AUDIENCE = "tokenfactory-services";

    private static ECKey signingKey;

    private static StubHttpServer jwksServer;

    private TestTokens() {
    }

    /** An administrator's token: every scope, no department. */
    public static String admin() {
        return token(null, null, "admin usage:read inference");
    }

    /** A department's token with the given space-separated scopes. */
    public static String department(UUID departmentId, String scopes) {
        return token(departmentId, null, scopes);
    }

    /**
     * A department's token whose key has a priority class ({@code interactive} or
     * {@code batch}), as the gateway mints it into the {@code priority} claim.
     */
    public static String department(UUID departmentId, String scopes, String priority) {
        return token(departmentId, null, scopes, priority);
    }

    public static String token(UUID departmentId, UUID agentId, String scopes) {
        return token(departmentId, agentId, scopes, null);
    }

    private static String token(UUID departmentId, UUID agentId, String scopes, String priority) {
        return sign(new JWTClaimsSet.Builder().issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(UUID.randomUUID().toString())
            .issueTime(new Date())
            .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(5))))
            .claim("scope", scopes)
            .claim("key_id", UUID.randomUUID().toString())
            .claim("department_id", departmentId == null ? null : departmentId.toString())
            .claim("agent_id", agentId == null ? null : agentId.toString())
            .claim("priority", priority)
            .build(), key());
    }

    /** A token signed with a key no service trusts, as a forger would make it. */
    public static String forged() {
        try {
            return sign(new JWTClaimsSet.Builder().issuer(ISSUER)
                .audience(AUDIENCE)
                .claim("scope", "admin")
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build(), new ECKeyGenerator(Curve.P_256).keyID("forger").generate());
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static synchronized String jwkSetUri() {
        if (jwksServer == null) {
            String jwks = new JWKSet(key().toPublicJWK()).toString();
            jwksServer = new StubHttpServer().route("/.well-known/jwks.json",
                    request -> StubHttpServer.Response.json(200, jwks));
        }
        return jwksServer.url() + "/.well-known/jwks.json";
    }

    private static synchronized ECKey key() {
        if (signingKey == null) {
            try {
                signingKey = new ECKeyGenerator(Curve.P_256).keyID("test-gateway").generate();
            }
            catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
        return signingKey;
    }

    private static String sign(JWTClaimsSet claims, ECKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                    claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

}
