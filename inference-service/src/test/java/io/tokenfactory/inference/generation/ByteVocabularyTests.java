package io.tokenfactory.inference.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The byte-level model's tokenizer: one token per UTF-8 byte, typography folded to ASCII,
 * whole characters out.
 */
class ByteVocabularyTests {

    @Test
    void typographicPunctuationIsFoldedToTheAsciiTheModelWasTrainedOn() {
        assertThat(ByteVocabulary.normalise("\u201CIt\u2019s\u201D \u2014 1\u20132\u2026\u00A0ok\r\n"))
            .isEqualTo("\"It's\" -- 1-2... ok\n");
    }

    @Test
    void textIsComposedBeforeItIsCounted() {
        // e + combining acute accent becomes one character, two bytes
        assertThat(ByteVocabulary.encode("e\u0301")).containsExactly(0xC3, 0xA9);
    }

    @Test
    void everyUtf8ByteIsOneTokenFrom0To255() {
        assertThat(ByteVocabulary.encode("A€")).containsExactly(0x41, 0xE2, 0x82, 0xAC);
        assertThat(ByteVocabulary.encode("\u2019")).containsExactly('\'');
    }

    @Test
    void theDecoderHoldsBackAnIncompleteCharacterUntilItsLastByte() {
        ByteVocabulary.Decoder decoder = new ByteVocabulary.Decoder();
        byte[] whale = "a🐋b".getBytes(StandardCharsets.UTF_8);
        StringBuilder shown = new StringBuilder();

        for (int i = 0; i < whale.length; i++) {
            String piece = decoder.accept(whale[i]);
            if (i >= 1 && i <= 3) {
                assertThat(piece).as("byte %d of the emoji", i).isEmpty();
            }
            shown.append(piece);
        }

        assertThat(shown).hasToString("a🐋b");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void whatNeverCompletedIsFlushedAsReplacementCharacters() {
        ByteVocabulary.Decoder decoder = new ByteVocabulary.Decoder();

        assertThat(decoder.accept(0xE2)).isEmpty();
        assertThat(decoder.accept(0x82)).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.accept('x')).isEqualTo("x");
    }

}
