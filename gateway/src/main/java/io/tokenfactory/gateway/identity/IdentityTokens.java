package io.tokenfactory.gateway.identity;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.TreeSet;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.security.IdentityClaims;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Mints the short-lived identity tokens (JWT, ES256) that carry a caller's department,
 * key, agent and scopes to the services, and publishes the public key they verify them
 * with. The signing key comes from {@code TF_IDENTITY_SIGNING_JWK} (share it between
 * gateway replicas) or is generated at start. A token is reused for half its lifetime, so
 * minting costs nothing on the hot path.
 */
@Component
public class IdentityTokens {

    private static final Logger log = LoggerFactory.getLogger(IdentityTokens.class);

    private static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

    private final ECKey signingKey;

    private final JWSSigner signer;

    private final JWSVerifier verifier;

    private final Duration ttl;

    private final Clock clock;

    private final Cache<Object, String> recentTokens;

    private volatile String gatewayToken;

    private volatile Instant gatewayTokenRenewAt = Instant.EPOCH;

    IdentityTokens(GatewayProperties properties, Clock clock) throws JOSEException {
        this.signingKey = signingKey(properties.identity().signingJwk());
        if ((properties.identity().signingJwk() == null || properties.identity().signingJwk().isBlank())
                && properties.limits().store() == GatewayProperties.LimitStore.REDIS) {
            log.warn(
                    "Limits are shared through Redis, so several gateway replicas are expected, but each signs identity "
                            + "tokens with its own key: set the same TF_IDENTITY_SIGNING_JWK on every replica");
        }
        this.signer = new ECDSASigner(signingKey);
        this.verifier = new ECDSAVerifier(signingKey.toECPublicKey());
        this.ttl = properties.identity().tokenTtl();
        this.clock = clock;
        this.recentTokens = Caffeine.newBuilder().expireAfterWrite(ttl.dividedBy(2)).maximumSize(100_000).build();
    }

    /** The token for a request authenticated with this API key. */
    /** The cache entry of {@link #forGatewayInference()}: no key has this id. */
    private static final UUID GATEWAY_INFERENCE = new UUID(0, 1);

    public String forKey(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes) {
        return forKey(keyId, departmentId, agentId, scopes, null);
    }

    /**
     * @param priority the key's priority class at inference; null: none said
     * (interactive)
     */
    public String forKey(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes, String priority) {
        return forKey(keyId, departmentId, agentId, scopes, priority, null);
    }

    /**
     * @param person the person signed in through the identity provider, when the caller
     * is one rather than a key (its id is the person's)
     */
    public String forKey(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes, String priority,
            @Nullable String person) {
        return forKey(keyId, departmentId, agentId, scopes, priority, person, Map.of());
    }

    /**
     * @param tags the key's cost tags, carried to inference and on with its usage; a
     * token is reused only while they stay the same
     */
    public String forKey(UUID keyId, UUID departmentId, UUID agentId, Set<String> scopes, String priority,
            @Nullable String person, Map<String, String> tags) {
        Object cacheKey = tags.isEmpty() ? keyId : new TaggedKey(keyId, tags);
        return recentTokens.get(cacheKey, unused -> mint(keyId.toString(), keyId, departmentId, agentId,
                String.join(" ", new TreeSet<>(scopes)), priority, person, tags));
    }

    /** A token cache entry of a key with tags: new tags, new token. */
    private record TaggedKey(UUID keyId, Map<String, String> tags) {
    }

    /**
     * The gateway's own token, for the calls it makes itself (asking billing about a
     * department).
     */
    public String forGateway() {
        Instant now = clock.instant();
        if (now.isAfter(gatewayTokenRenewAt)) {
            gatewayToken = mint("gateway", null, null, null, IdentityClaims.SCOPE_ADMIN, null, null, Map.of());
            gatewayTokenRenewAt = now.plus(ttl.dividedBy(2));
        }
        return gatewayToken;
    }

    /**
     * The gateway's own token for reading inference's model list (scope {@code inference}
     * only).
     */
    public String forGatewayInference() {
        return recentTokens.get(GATEWAY_INFERENCE,
                unused -> mint("gateway", null, null, null, IdentityClaims.SCOPE_INFERENCE, null, null, Map.of()));
    }

    /**
     * The scopes of an identity token signed with this gateway's key (any replica's, when
     * they share it) and still valid — for the service callers of the gateway's own
     * internal endpoints, which pass on the token their caller came with; empty for
     * anything else.
     */
    public Optional<Set<String>> verifiedScopes(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            // the services' resource servers allow the same clock skew between replicas
            if (!IdentityClaims.ISSUER.equals(claims.getIssuer()) || claims.getAudience() == null
                    || !claims.getAudience().contains(IdentityClaims.AUDIENCE) || expires == null
                    || !expires.toInstant().plus(CLOCK_SKEW).isAfter(clock.instant())) {
                return Optional.empty();
            }
            String scopes = claims.getStringClaim(IdentityClaims.SCOPE);
            return Optional.of(scopes == null ? Set.of()
                    : Arrays.stream(scopes.split(" ")).filter(scope -> !scope.isEmpty()).collect(Collectors.toSet()));
        }
        catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }

    /** The public half of the signing key, as a JWK set. */
    public JWKSet publicKeys() {
        return new JWKSet(signingKey.toPublicJWK());
    }

    private String mint(String subject, UUID keyId, UUID departmentId, UUID agentId, String scopes, String priority,
            @Nullable String person, Map<String, String> tags) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(IdentityClaims.ISSUER)
            .audience(IdentityClaims.AUDIENCE)
            .subject(subject)
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .claim(IdentityClaims.SCOPE, scopes)
            .claim(IdentityClaims.KEY_ID, keyId == null ? null : keyId.toString())
            .claim(IdentityClaims.DEPARTMENT_ID, departmentId == null ? null : departmentId.toString())
            .claim(IdentityClaims.AGENT_ID, agentId == null ? null : agentId.toString())
            .claim(IdentityClaims.PRIORITY, priority)
            .claim(IdentityClaims.PERSON, person)
            .claim(IdentityClaims.TAGS, tags.isEmpty() ? null : new java.util.TreeMap<>(tags))
            .build();
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signingKey.getKeyID()).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        }
        catch (JOSEException e) {
            throw new IllegalStateException("Could not sign an identity token", e);
        }
    }

    private static ECKey signingKey(String configuredJwk) throws JOSEException {
        if (configuredJwk != null && !configuredJwk.isBlank()) {
            try {
                JWK jwk = JWK.parse(configuredJwk);
                if (jwk instanceof ECKey ec && ec.isPrivate() && Curve.P_256.equals(ec.getCurve())) {
                    return ec;
                }
            }
            catch (ParseException e) {
                throw new IllegalStateException("TF_IDENTITY_SIGNING_JWK is not a JWK", e);
            }
            throw new IllegalStateException("TF_IDENTITY_SIGNING_JWK must be a private EC P-256 JWK");
        }
        log.info(
                "Generated an identity signing key for this gateway instance; set TF_IDENTITY_SIGNING_JWK to share one between replicas");
        return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
    }

}
