package io.tokenfactory.inference.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.energy.MeasuredEnergy;

import org.junit.jupiter.api.Test;

/**
 * One generation fed token by token, without a model: the text it shows, stop sequences
 * held back until ruled out and never shown, its finish reasons, and the work it tells
 * its node.
 */
class GenerationTests {

    private final List<String> shown = new ArrayList<>();

    private final TellingNode node = new TellingNode();

    @Test
    void textIsShownAsItComesAndTheLimitEndsItWithLength() {
        Generation generation = generation(5, List.of());

        feed(generation, "Ahoy!");

        assertThat(shown).containsExactly("A", "h", "o", "y", "!");
        assertThat(generation.finished()).isTrue();
        GenerationResult result = generation.completed();
        assertThat(result.finishReason()).isEqualTo("length");
        assertThat(result.completionTokens()).isEqualTo(5);
        assertThat(result.promptTokens()).isEqualTo(3);
        assertThat(node.told()).isEqualTo(3 + 5);
    }

    @Test
    void theTextBeforeAStopSequenceIsShownAndTheStopNever() {
        Generation generation = generation(50, List.of("END"));

        feed(generation, "whale ENDING");

        assertThat(String.join("", shown)).isEqualTo("whale ");
        assertThat(generation.finished()).isTrue();
        assertThat(generation.completed().finishReason()).isEqualTo("stop");
        assertThat(generation.completed().completionTokens()).isEqualTo(9);
    }

    @Test
    void whatCouldStillBecomeAStopSequenceIsHeldBackAndShownOnceRuledOut() {
        Generation generation = generation(50, List.of("\n\n"));

        feed(generation, "sea\n");
        assertThat(String.join("", shown)).isEqualTo("sea");

        feed(generation, "x");
        assertThat(String.join("", shown)).isEqualTo("sea\nx");
        assertThat(generation.finished()).isFalse();
    }

    @Test
    void theEarliestOfSeveralStopSequencesEndsTheText() {
        Generation generation = generation(50, List.of("whale", "ale"));

        feed(generation, "pale whale");

        assertThat(String.join("", shown)).isEqualTo("p");
    }

    @Test
    void aHeldBackPrefixIsShownWhenTheLimitEndsTheGeneration() {
        Generation generation = generation(4, List.of("STOP"));

        feed(generation, "aSTO");

        assertThat(String.join("", shown)).isEqualTo("aSTO");
        assertThat(generation.completed().finishReason()).isEqualTo("length");
    }

    @Test
    void aCharacterIsShownWholeAndAnUnfinishedOneAtTheLimitAsAReplacement() {
        Generation generation = generation(50, List.of());
        feed(generation, "é");
        assertThat(shown).containsExactly("é");

        Generation cut = generation(1, List.of());
        cut.accept(0xC3);
        assertThat(String.join("", shown)).isEqualTo("é\uFFFD");
    }

    @Test
    void aRequestCancelledBeforeItJoinedABatchDrewNoEnergy() {
        Generation waiting = new Generation(
                new GenerationRequest(new int[] { 1 }, 5, new TokenSampler(0, 1, null), List.of(), listener()),
                Clock.systemUTC());

        waiting.cancel();
        GenerationResult result = waiting.cancelled();

        assertThat(waiting.cancelRequested()).isTrue();
        assertThat(result.outcome()).isEqualTo(UsageOutcome.CANCELLED);
        assertThat(result.promptTokens()).isZero();
        assertThat(result.timeToFirstTokenMs()).isEqualTo(-1);
        assertThat(result.energy().join()).isEqualTo(MeasuredEnergy.UNMETERED);
    }

    private Generation generation(int maxTokens, List<String> stops) {
        Generation generation = new Generation(new GenerationRequest(new int[] { 'C', 'a', 'l' }, maxTokens,
                new TokenSampler(0, 1, null), stops, listener()), Clock.systemUTC());
        generation.admitted(node);
        generation.promptProcessed();
        return generation;
    }

    private static void feed(Generation generation, String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (!generation.finished()) {
                generation.accept(b & 0xff);
            }
        }
    }

    private GenerationListener listener() {
        return new GenerationListener() {
            @Override
            public void onText(String text, int completionTokens) {
                assertThat(text).isNotEmpty();
                shown.add(text);
            }

            @Override
            public void onFinish(GenerationResult result) {
            }
        };
    }

}
