package io.tokenfactory.gateway.apikey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tokenfactory.gateway.GatewayProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes key secrets ({@code tf_} + 256 random bits) and hashes them with HMAC-SHA-256 under a pepper. The pepper
 * comes from configuration ({@code TF_API_KEY_PEPPER}); without one it is generated on first start and kept in
 * the pepper file, never in configuration and never in the database beside the hashes.
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

    Secret generate() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String value = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new Secret(value, hash(value), value.substring(0, 6) + "…" + value.substring(value.length() - 4));
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
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
        }
    }

    private byte[] pepper(GatewayProperties.ApiKeys settings) {
        if (settings.pepper() != null && !settings.pepper().isBlank()) {
            return settings.pepper().getBytes(StandardCharsets.UTF_8);
        }
        Path file = settings.pepperFile();
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] generated = new byte[32];
            random.nextBytes(generated);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(generated));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort on file systems without POSIX permissions
            }
            log.warn("Generated a new API key pepper in {}; keep this file (keys hashed with it stop working without it)", file);
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the API key pepper file " + file, e);
        }
    }
}
