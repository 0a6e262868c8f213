package io.tokenfactory.billing.alert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Subscription secrets and the signature every delivery carries:
 * {@code X-TokenFactory-Signature: sha256=<hex>}, the HMAC-SHA-256 under the secret of
 * {@code <X-TokenFactory-Timestamp>.<raw body>}. Signing the timestamp with the body lets
 * a receiver refuse an old delivery replayed by someone who recorded it.
 */
final class WebhookSecrets {

    private static final String PREFIX = "whsec_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecrets() {
    }

    /** {@code whsec_} and 256 random bits, base64url. */
    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Enough to tell two secrets apart in a list, too little to guess one. */
    static String hint(String secret) {
        return PREFIX + "…" + secret.substring(secret.length() - 4);
    }

    /** The value of {@code X-TokenFactory-Signature}. */
    static String signature(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signed = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(signed);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

}
