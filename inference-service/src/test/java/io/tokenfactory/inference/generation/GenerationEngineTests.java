package io.tokenfactory.inference.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.FairShareSettings;
import io.tokenfactory.inference.fairshare.Priority;
import io.tokenfactory.inference.fairshare.Requester;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The continuous-batching engine on the shipped model, against full recomputation without
 * any cache.
 */
class GenerationEngineTests {

    private static NDManager manager;

    private static ByteTransformer model;

    @BeforeAll
    static void loadModel() throws Exception {
        manager = Engine.getEngine("PyTorch").newBaseManager();
        try (InputStream in = GenerationEngineTests.class.getResourceAsStream("/models/byte-lm-moby/model.tfbt")) {
            model = ByteTransformer.load(manager, in);
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void rowsThatJoinAndLeaveAtDifferentStepsGetExactlyWhatEachWouldAloneAndTellTheirNodeEveryToken() throws Exception {
        TellingNode node = new TellingNode();
        List<String> prompts = List.of("Call me Ishmael. ", "The whale", "It was a dark night, and the sea ran high; ",
                "Queequeg", "Upon the deck of the ship the captain stood and looked", "A");
        List<Integer> lengths = List.of(40, 12, 25, 33, 7, 50);
        try (GenerationEngine engine = new GenerationEngine("test", model, manager, 4, 16, node, Clock.systemUTC(),
                new SimpleMeterRegistry())) {
            List<Collected> collected = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Collected c = new Collected();
                collected.add(c);
                engine.submit(new GenerationRequest(ByteVocabulary.encode(prompts.get(i)), lengths.get(i),
                        new TokenSampler(0, 1, null), List.of(), c));
                if (i == 2) {
                    // the rest join a batch that is already decoding
                    collected.get(0).firstText.await(10, TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult result = collected.get(i).result.get(30, TimeUnit.SECONDS);
                assertThat(result.outcome()).isEqualTo(UsageOutcome.COMPLETED);
                assertThat(result.finishReason()).isEqualTo("length");
                assertThat(result.completionTokens()).isEqualTo(lengths.get(i));
                assertThat(result.promptTokens()).isEqualTo(prompts.get(i).length());
                assertThat(collected.get(i).text.toString()).as("prompt %d", i)
                    .isEqualTo(greedyWithoutCache(prompts.get(i), lengths.get(i)));
            }
            // the node's ledger splits energy by work: each prompt token once, each
            // generated token once
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(collected.get(i).result.join().energy().join().joules())
                    .isEqualTo(prompts.get(i).length() + lengths.get(i));
            }
        }
    }

    @Test
    void aStopSequenceEndsTheTextBeforeItAndIsNeverShown() throws Exception {
        String full = greedyWithoutCache("Call me Ishmael. ", 60);
        String stop = full.substring(20, 23);
        String expected = full.substring(0, full.indexOf(stop));
        try (GenerationEngine engine = engine(2, 4)) {
            Collected c = new Collected();
            engine.submit(new GenerationRequest(ByteVocabulary.encode("Call me Ishmael. "), 60,
                    new TokenSampler(0, 1, null), List.of(stop), c));
            GenerationResult result = c.result.get(30, TimeUnit.SECONDS);
            assertThat(result.finishReason()).isEqualTo("stop");
            assertThat(c.text.toString()).isEqualTo(expected);
        }
    }

    @Test
    void aCancelledRequestLeavesAtTheNextStepWithTheTokensItUsed() throws Exception {
        try (GenerationEngine engine = engine(4, 4)) {
            Collected c = new Collected();
            Generation generation = engine.submit(new GenerationRequest(ByteVocabulary.encode("The sea "), 200,
                    new TokenSampler(0.8, 0.95, 7L), List.of(), c));
            c.firstText.await(10, TimeUnit.SECONDS);
            generation.cancel();
            GenerationResult result = c.result.get(10, TimeUnit.SECONDS);
            assertThat(result.outcome()).isEqualTo(UsageOutcome.CANCELLED);
            assertThat(result.promptTokens()).isEqualTo(8);
            assertThat(result.completionTokens()).isBetween(1, 199);
            assertThat(result.energy().join().joules()).isEqualTo(8 + result.completionTokens());
        }
    }

    @Test
    void theSameSeedGivesTheSameSample() throws Exception {
        try (GenerationEngine engine = engine(4, 4)) {
            List<Collected> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Collected c = new Collected();
                runs.add(c);
                engine.submit(new GenerationRequest(ByteVocabulary.encode("Whales "), 40,
                        new TokenSampler(1.0, 0.9, i < 2 ? 11L : 12L), List.of(), c));
            }
            for (Collected run : runs) {
                run.result.get(30, TimeUnit.SECONDS);
            }
            assertThat(runs.get(0).text.toString()).isEqualTo(runs.get(1).text.toString());
            assertThat(runs.get(2).text.toString()).isNotEqualTo(runs.get(0).text.toString());
        }
    }

    @Test
    void aFullQueueRefusesAtOnce() {
        try (GenerationEngine engine = engine(1, 1)) {
            List<Collected> accepted = new ArrayList<>();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 10; i++) {
                    Collected c = new Collected();
                    engine.submit(new GenerationRequest(ByteVocabulary.encode("Ahab "), 200,
                            new TokenSampler(0, 1, null), List.of(), c));
                    accepted.add(c);
                }
            }).isInstanceOf(EngineBusyException.class);
            assertThat(accepted).hasSizeBetween(1, 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.stream().allMatch(c -> c.result.isDone()));
        }
    }

    @Test
    void aFreeRowGoesToTheDepartmentThatWaitsNotToTheNextRequestOfAFlood() throws Exception {
        assertThat(finishingOrder(FairShareSettings.equalShares())).containsExactly("a-1", "b", "a-2", "a-3", "a-4",
                "a-5");
        // first come, first served, as before
        assertThat(finishingOrder(FairShareSettings.FIRST_COME_FIRST_SERVED)).containsExactly("a-1", "a-2", "a-3",
                "a-4", "a-5", "b");
    }

    /**
     * One row: department A's first request runs, four more of A's wait, then B sends
     * one; with one row the order they finish in is the order they were admitted in.
     */
    private static List<String> finishingOrder(FairShareSettings fairShare) throws Exception {
        Requester a = new Requester(UUID.randomUUID(), Priority.INTERACTIVE);
        Requester b = new Requester(UUID.randomUUID(), Priority.INTERACTIVE);
        List<String> finished = new CopyOnWriteArrayList<>();
        try (GenerationEngine engine = new GenerationEngine("test", model, manager, 1, 16, new TellingNode(),
                Clock.systemUTC(), new SimpleMeterRegistry(), fairShare)) {
            Collected first = new Collected() {
                @Override
                public void onFinish(GenerationResult result) {
                    finished.add("a-1");
                    super.onFinish(result);
                }
            };
            engine.submit(new GenerationRequest(ByteVocabulary.encode("Ahab "), 40, new TokenSampler(0, 1, null),
                    List.of(), first, a));
            first.firstText.await(10, TimeUnit.SECONDS);
            for (int i = 2; i <= 5; i++) {
                engine.submit(request("a-" + i, a, finished));
            }
            engine.submit(request("b", b, finished));
            await().atMost(Duration.ofSeconds(60)).until(() -> finished.size() == 6);
        }
        return finished;
    }

    private static GenerationRequest request(String name, Requester requester, List<String> finished) {
        return new GenerationRequest(ByteVocabulary.encode("Ahab "), 5, new TokenSampler(0, 1, null), List.of(),
                new Collected() {
                    @Override
                    public void onFinish(GenerationResult result) {
                        finished.add(name);
                        super.onFinish(result);
                    }
                }, requester);
    }

    private static GenerationEngine engine(int maxBatch, int queue) {
        return new GenerationEngine("test", model, manager, maxBatch, queue, new TellingNode(), Clock.systemUTC(),
                new SimpleMeterRegistry());
    }

    /**
     * Greedy decoding by recomputing the whole sequence for every token: no cache, no
     * batch, no padding.
     */
    private static String greedyWithoutCache(String prompt, int tokens) {
        List<Integer> sequence = new ArrayList<>();
        for (int t : ByteVocabulary.encode(prompt)) {
            sequence.add(t);
        }
        ByteVocabulary.Decoder decoder = new ByteVocabulary.Decoder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            try (NDScope scope = new NDScope()) {
                long[] ids = sequence.stream().mapToLong(Integer::longValue).toArray();
                NDArray logits = model.logits(manager.create(ids, new Shape(1, ids.length))).get("0, -1, :");
                int next = (int) logits.argMax().getLong();
                sequence.add(next);
                text.append(decoder.accept(next));
            }
        }
        return text.append(decoder.flush()).toString();
    }

    private static class Collected implements GenerationListener {

        final StringBuilder text = new StringBuilder();

        final CountDownLatch firstText = new CountDownLatch(1);

        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();

        @Override
        public void onText(String piece, int completionTokens) {
            text.append(piece);
            firstText.countDown();
        }

        @Override
        public void onFinish(GenerationResult finished) {
            result.complete(finished);
        }

    }

}
