package io.tokenfactory.simulated;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A continuous-batching engine without a model: every step takes a base delay plus a
 * delay per running request, and produces one token for each of them; waiting requests
 * join between steps, up to the batch limit. Its power draw follows the number of running
 * requests.
 */
final class SimulatedEngine implements AutoCloseable {

    private static final String[] WORDS = ("the factory turns power into tokens and every token carries its joules "
            + "from the node that made it to the department that asked for it")
        .split(" ");

    /**
     * One request being generated; the HTTP thread reads its tokens from {@code events}.
     */
    static final class Sequence {

        final int promptTokens;

        final int maxTokens;

        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        volatile boolean cancelled;

        int produced;

        Sequence(int promptTokens, int maxTokens) {
            this.promptTokens = promptTokens;
            this.maxTokens = maxTokens;
        }

    }

    /** Put in a sequence's events after its last token. */
    static final String END = "\u0000end";

    private final SimulatedPower power;

    private final long baseStepMicros;

    private final long stepMicrosPerRequest;

    private final int maxBatch;

    private final Deque<Sequence> waiting = new ArrayDeque<>();

    private final List<Sequence> running = new ArrayList<>();

    private final Thread loop;

    private volatile boolean open = true;

    SimulatedEngine(SimulatedPower power, long baseStepMicros, long stepMicrosPerRequest, int maxBatch) {
        this.power = power;
        this.baseStepMicros = baseStepMicros;
        this.stepMicrosPerRequest = stepMicrosPerRequest;
        this.maxBatch = maxBatch;
        this.loop = new Thread(this::run, "simulated-engine");
        loop.setDaemon(true);
        loop.start();
    }

    synchronized void submit(Sequence sequence) {
        waiting.add(sequence);
        notifyAll();
    }

    synchronized int running() {
        return running.size();
    }

    private void run() {
        while (open) {
            int batch;
            synchronized (this) {
                running.removeIf(sequence -> sequence.cancelled);
                while (running.size() < maxBatch && !waiting.isEmpty()) {
                    Sequence next = waiting.poll();
                    if (!next.cancelled) {
                        running.add(next);
                    }
                }
                power.running(running.size());
                if (running.isEmpty()) {
                    try {
                        wait(100);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                batch = running.size();
            }
            // the step's delay grows with the batch, as a real decode step does
            long micros = baseStepMicros + stepMicrosPerRequest * batch;
            try {
                Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
            }
            catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                List<Sequence> finished = new ArrayList<>();
                for (Sequence sequence : running) {
                    if (sequence.cancelled) {
                        finished.add(sequence);
                        continue;
                    }
                    sequence.events.add(WORDS[sequence.produced % WORDS.length] + " ");
                    sequence.produced++;
                    if (sequence.produced >= sequence.maxTokens) {
                        sequence.events.add(END);
                        finished.add(sequence);
                    }
                }
                running.removeAll(finished);
                power.running(running.size());
            }
        }
    }

    @Override
    public void close() {
        open = false;
        loop.interrupt();
    }

}
