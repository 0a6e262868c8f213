package io.tokenfactory.support.events;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.tokenfactory.contracts.TokenFactoryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class OutboxBatcherTests {

    private final ExecutorService relayThreads = Executors.newFixedThreadPool(8);

    /** What the broker was handed, one list per message. */
    private final List<List<TokenFactoryEvent>> messages = Collections.synchronizedList(new ArrayList<>());

    /** Holds the first message "at the broker" until the test lets it through. */
    private final CountDownLatch firstConfirm = new CountDownLatch(1);

    @AfterEach
    void stopThreads() {
        firstConfirm.countDown();
        relayThreads.shutdownNow();
    }

    @Test
    void anEventReadyAloneGoesAlone() {
        OutboxBatcher batcher = new OutboxBatcher(10, messages::add);
        Event event = new Event();

        batcher.publish(event);

        assertThat(messages).containsExactly(List.of(event));
    }

    @Test
    void eventsReadyWhileAMessageAwaitsItsConfirmGoTogetherInTheNextOneAndEachReturnsOnlyOnceSent() throws Exception {
        OutboxBatcher batcher = new OutboxBatcher(10, heldFirst());
        Event first = new Event();
        Future<?> firstSent = relayThreads.submit(() -> batcher.publish(first));
        await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 1);
        List<Event> later = List.of(new Event(), new Event(), new Event(), new Event());
        List<Future<?>> laterSent = new ArrayList<>();
        for (Event event : later) {
            laterSent.add(relayThreads.submit(() -> batcher.publish(event)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> batcher.waiting() == later.size());
        assertThat(laterSent).noneMatch(Future::isDone);

        firstConfirm.countDown();

        firstSent.get(5, TimeUnit.SECONDS);
        for (Future<?> sent : laterSent) {
            sent.get(5, TimeUnit.SECONDS);
        }
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0)).containsExactly(first);
        assertThat(messages.get(1)).containsExactlyInAnyOrderElementsOf(later);
    }

    @Test
    void noMessageCarriesMoreThanTheLimit() throws Exception {
        OutboxBatcher batcher = new OutboxBatcher(2, heldFirst());
        Future<?> firstSent = relayThreads.submit(() -> batcher.publish(new Event()));
        await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 1);
        List<Future<?>> laterSent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            laterSent.add(relayThreads.submit(() -> batcher.publish(new Event())));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> batcher.waiting() == 5);

        firstConfirm.countDown();

        firstSent.get(5, TimeUnit.SECONDS);
        for (Future<?> sent : laterSent) {
            sent.get(5, TimeUnit.SECONDS);
        }
        assertThat(messages).extracting(List::size).containsExactly(1, 2, 2, 1);
    }

    @Test
    void everyEventOfAMessageTheBrokerDidNotTakeFailsAndTheNextMessageIsTriedAfresh() throws Exception {
        List<List<TokenFactoryEvent>> tried = Collections.synchronizedList(new ArrayList<>());
        OutboxBatcher batcher = new OutboxBatcher(10, events -> {
            tried.add(events);
            if (tried.size() == 1) {
                awaitQuietly(firstConfirm);
            }
            if (tried.size() == 2) {
                throw new ConfirmedSend.NotConfirmedException("the broker nacked it");
            }
        });
        Future<?> firstSent = relayThreads.submit(() -> batcher.publish(new Event()));
        await().atMost(Duration.ofSeconds(5)).until(() -> tried.size() == 1);
        List<Future<?>> refused = List.of(relayThreads.submit(() -> batcher.publish(new Event())),
                relayThreads.submit(() -> batcher.publish(new Event())));
        await().atMost(Duration.ofSeconds(5)).until(() -> batcher.waiting() == 2);

        firstConfirm.countDown();

        firstSent.get(5, TimeUnit.SECONDS);
        for (Future<?> each : refused) {
            assertThatThrownBy(() -> each.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConfirmedSend.NotConfirmedException.class);
        }
        // the batcher is not stuck: the next event goes
        batcher.publish(new Event());
        assertThat(tried).extracting(List::size).containsExactly(1, 2, 1);
    }

    private java.util.function.Consumer<List<TokenFactoryEvent>> heldFirst() {
        return events -> {
            messages.add(events);
            if (messages.size() == 1) {
                awaitQuietly(firstConfirm);
            }
        };
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Event(UUID eventId, Instant occurredAt) implements TokenFactoryEvent {

        Event() {
            this(UUID.randomUUID(), Instant.now());
        }

        @Override
        public String subject() {
            return "test";
        }

    }

}
