package io.tokenfactory.support.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.tokenfactory.contracts.TokenFactoryEvent;

/**
 * Joins the events of one destination that are ready at the same moment into one send,
 * without waiting for more. Each relay thread queues its event and takes the sending
 * lock; whoever holds it sends everything queued (up to the limit) in one message and
 * marks each event sent or failed. A thread that finds its event already sent by another
 * returns at once. While one batch waits for the broker's confirm, the next one gathers:
 * under light load every event goes alone, as before; under heavy load messages fill up.
 * A thread returns only once its own event is confirmed, so the outbox still completes
 * each publication on its own, and a failed batch leaves each of its events incomplete,
 * to be sent again.
 */
final class OutboxBatcher {

    private final ReentrantLock sending = new ReentrantLock();

    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();

    private final int maxEvents;

    private final Consumer<List<TokenFactoryEvent>> send;

    /**
     * @param send sends the events as one message and returns once the broker has it;
     * throws when it does not
     */
    OutboxBatcher(int maxEvents, Consumer<List<TokenFactoryEvent>> send) {
        this.maxEvents = maxEvents;
        this.send = send;
    }

    /**
     * Returns once the event is confirmed; throws the failure of the send that carried
     * it.
     */
    void publish(TokenFactoryEvent event) {
        Pending mine = new Pending(event);
        waiting.add(mine);
        sending.lock();
        try {
            // the events queued before this one may fill more than one batch
            while (mine.outcome == null) {
                List<Pending> batch = new ArrayList<>();
                for (Pending next; batch.size() < maxEvents && (next = waiting.poll()) != null;) {
                    batch.add(next);
                }
                RuntimeException failure = null;
                try {
                    send.accept(batch.stream().map(Pending::event).toList());
                }
                catch (RuntimeException failed) {
                    failure = failed;
                }
                for (Pending pending : batch) {
                    pending.outcome = failure == null ? Outcome.SENT : new Outcome(failure);
                }
            }
        }
        finally {
            sending.unlock();
        }
        // (read after taking the lock the sender held while writing it)
        if (mine.outcome.failure() != null) {
            throw mine.outcome.failure();
        }
    }

    /** How many events wait for a send (for tests). */
    int waiting() {
        return waiting.size();
    }

    private static final class Pending {

        private final TokenFactoryEvent event;

        private Outcome outcome;

        Pending(TokenFactoryEvent event) {
            this.event = event;
        }

        TokenFactoryEvent event() {
            return event;
        }

    }

    private record Outcome(RuntimeException failure) {

        static final Outcome SENT = new Outcome(null);

    }

}
