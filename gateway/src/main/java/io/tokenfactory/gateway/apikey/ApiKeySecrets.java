package io.tokenfactory.gateway.apikey;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.support.secrets.SecretFiles;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes key secrets ({@code tf_} + 256 random bits + a 48-bit tag) and hashes them with
 * HMAC-SHA-256 under a pepper. The tag is an HMAC of the random part under the same
 * pepper: a secret someone made up fails it and is refused without touching the database.
 * The pepper comes from configuration ({@code TF_API_KEY_PEPPER}); without one it is
 * generated on first start and kept in the pepper file, never in configuration and never
 * in the database beside the hashes.
 */
@Component
class ApiKeySecrets {

    static final String PREFIX = "tf_";

    private static final Logger log = LoggerFactory.getLogger(ApiKeySecrets.class);

    record Secret(String value, String hash, String hint) {
    }

    private final SecureRandom random = new SecureRandom();

    private final byte[] pepper;

    private final ThreadLocal<Mac> hmac = ThreadLocal.withInitial(this::newHmac);

    ApiKeySecrets(GatewayProperties properties) {
        this.pepper = pepper(properties.apiKeys());
    }

    static final int LENGTH = PREFIX.length() + 43 + 8;

    Secret generate() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String value = PREFIX + body + tag(body);
        return new Secret(value, hash(value), value.substring(0, 6) + "…" + value.substring(value.length() - 4));
    }

    /**
     * Whether the secret carries a tag this gateway made; costs one HMAC, no database
     * read.
     */
    boolean looksGenuine(String secret) {
        if (secret.length() != LENGTH) {
            return false;
        }
        String body = secret.substring(PREFIX.length(), PREFIX.length() + 43);
        return MessageDigest.isEqual(tag(body).getBytes(StandardCharsets.US_ASCII),
                secret.substring(PREFIX.length() + 43).getBytes(StandardCharsets.US_ASCII));
    }

    private String tag(String body) {
        byte[] mac = hmac.get().doFinal(("tag|" + body).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac, 6));
    }

    String hash(String secret) {
        return HexFormat.of().formatHex(hmac.get().doFinal(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** A keyed Mac per thread: creating one costs more than hashing a key. */
    private Mac newHmac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
            return mac;
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
        }
    }

    private byte[] pepper(GatewayProperties.ApiKeys settings) {
        if (settings.pepper() != null && !settings.pepper().isBlank()) {
            return settings.pepper().getBytes(StandardCharsets.UTF_8);
        }
        Path file = settings.pepperFile();
        SecretFiles.Generated pepper = SecretFiles.readOrGenerate(file, 32);
        if (pepper.created()) {
            log.warn(
                    "Generated a new API key pepper in {}; keep this file (keys hashed with it stop working without it)",
                    file);
        }
        return pepper.secret();
    }

}
