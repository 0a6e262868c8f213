package io.tokenfactory.gateway.sso;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.support.audit.AuditTrail;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Records each sign-in through the identity provider once in the gateway's audit trail
 * ({@code person.signed-in}): the first request with a new access token, on whichever
 * gateway replica sees it first (a row per token in {@code sso_sign_in}, kept until the
 * token expires). Later requests with the same token are answered from memory.
 */
@Component
class SsoSignIns {

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final AuditTrail audit;

    private final Clock clock;

    private final Cache<String, Boolean> recorded = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofHours(1))
        .maximumSize(100_000)
        .build();

    SsoSignIns(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, AuditTrail audit, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.audit = audit;
        this.clock = clock;
    }

    Mono<Void> record(Jwt token, ApiKeyView person, @Nullable String address) {
        String tokenId = tokenId(token);
        if (recorded.getIfPresent(tokenId) != null) {
            return Mono.empty();
        }
        return Mono.fromRunnable(() -> {
            record(tokenId, token, person, address);
            recorded.put(tokenId, true);
        }).subscribeOn(Schedulers.boundedElastic()).then();
    }

    private void record(String tokenId, Jwt token, ApiKeyView person, @Nullable String address) {
        Instant now = clock.instant();
        Instant expires = token.getExpiresAt() != null ? token.getExpiresAt() : now.plus(Duration.ofHours(1));
        transactions.executeWithoutResult(transaction -> {
            jdbc.update("DELETE FROM sso_sign_in WHERE expires_at < ?", Timestamp.from(now));
            int first = jdbc.update("""
                    INSERT INTO sso_sign_in (token_id, person, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (token_id) DO NOTHING
                    """, tokenId, person.name(), Timestamp.from(expires));
            if (first == 1) {
                Map<String, Object> signedIn = new LinkedHashMap<>();
                signedIn.put("person", person.name());
                signedIn.put("subject", token.getSubject());
                signedIn.put("issuer", token.getIssuer() == null ? null : token.getIssuer().toString());
                signedIn.put("departmentId", person.departmentId());
                signedIn.put("scopes", person.scopes());
                signedIn.put("tokenExpiresAt", expires);
                audit.record(person.actor(address), "person.signed-in", "person", person.id(), person.departmentId(),
                        null, signedIn);
            }
        });
    }

    /** The token's own id, or a digest of the token when it has none. */
    private static String tokenId(Jwt token) {
        @Nullable String id = token.getId();
        if (id != null && !id.isBlank() && id.length() <= 150) {
            return (token.getIssuer() == null ? "" : token.getIssuer().getHost()) + ":" + id;
        }
        try {
            return "sha256:" + HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getTokenValue().getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
