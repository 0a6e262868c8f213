package io.tokenfactory.agents.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class KeyCipherTests {

    private final byte[] key = new byte[32];

    private final UUID agent = UUID.randomUUID();

    KeyCipherTests() {
        Arrays.fill(key, (byte) 7);
    }

    @Test
    void aStoredKeyDecryptsForItsOwnAgentOnly() throws GeneralSecurityException {
        KeyCipher cipher = new KeyCipher(key);
        byte[] stored = cipher.encrypt(agent, "tf_secret_of_the_agent");
        assertThat(new String(stored)).doesNotContain("tf_secret_of_the_agent");
        assertThat(cipher.decrypt(agent, stored)).isEqualTo("tf_secret_of_the_agent");
        assertThatThrownBy(() -> cipher.decrypt(UUID.randomUUID(), stored))
            .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void eachEncryptionUsesAFreshNonce() {
        KeyCipher cipher = new KeyCipher(key);
        assertThat(cipher.encrypt(agent, "same")).isNotEqualTo(cipher.encrypt(agent, "same"));
    }

    @Test
    void anotherKeyOrAChangedByteDoesNotDecrypt() {
        byte[] stored = new KeyCipher(key).encrypt(agent, "secret");
        byte[] otherKey = key.clone();
        otherKey[0] = 8;
        assertThatThrownBy(() -> new KeyCipher(otherKey).decrypt(agent, stored))
            .isInstanceOf(GeneralSecurityException.class);
        byte[] tampered = stored.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> new KeyCipher(key).decrypt(agent, tampered))
            .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> new KeyCipher(key).decrypt(agent, new byte[5]))
            .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void onlyA256BitKeyIsAccepted() {
        assertThatThrownBy(() -> new KeyCipher(new byte[16])).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("32 bytes");
    }

}
