package io.tokenfactory.agents.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for agents' stored keys, the agent's id as associated data: a ciphertext
 * moved to another agent's row does not decrypt. Stored form: a 12-byte nonce, then the
 * sealed secret with its tag.
 */
final class KeyCipher {

    private static final int NONCE_BYTES = 12;

    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;

    private final SecureRandom random = new SecureRandom();

    KeyCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalStateException("The agents' credentials encryption key must be 32 bytes (base64)");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    byte[] encrypt(UUID agentId, String secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(agentId.toString().getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * @throws GeneralSecurityException when the key differs, the bytes were changed, or
     * they belong to another agent
     */
    String decrypt(UUID agentId, byte[] stored) throws GeneralSecurityException {
        if (stored.length <= NONCE_BYTES) {
            throw new GeneralSecurityException("not a stored key");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
        cipher.updateAAD(agentId.toString().getBytes(StandardCharsets.US_ASCII));
        return new String(cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
    }

}
