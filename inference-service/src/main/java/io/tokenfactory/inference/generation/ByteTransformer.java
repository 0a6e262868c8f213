package io.tokenfactory.inference.generation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * A small decoder-only transformer written with DJL operations: byte vocabulary, no
 * position embeddings but ALiBi attention biases (so it also reads prompts somewhat
 * longer than those it was trained on), pre-LayerNorm blocks with causal self-attention
 * and a GELU MLP, and output logits tied to the token embedding. DJL's own transformer
 * blocks have neither a causal mode nor a key/value cache, hence raw parameters.
 *
 * <p>
 * Three entry points share the same weights: {@link #logits} over whole sequences
 * (training), {@link #prefill} of one prompt, and {@link #decode} of one new token for
 * every row of a running batch against its cache.
 */
public final class ByteTransformer {

    private static final int FILE_MAGIC = 0x54464254; // "TFBT"

    private static final float LAYER_NORM_EPSILON = 1e-5f;

    /**
     * Added to attention scores that must not be attended to (future positions, padding).
     */
    static final float MASKED = -1e9f;

    private final ByteTransformerShape shape;

    private final Map<String, NDArray> parameters;

    private final float attentionScale;

    private final float[] slopes;

    private ByteTransformer(ByteTransformerShape shape, Map<String, NDArray> parameters) {
        this.shape = shape;
        this.parameters = parameters;
        this.attentionScale = (float) (1.0 / Math.sqrt(shape.headWidth()));
        this.slopes = alibiSlopes(shape.heads());
    }

    /**
     * Fresh parameters from a seeded generator: the same seed gives the same model, on
     * any machine.
     */
    public static ByteTransformer initialise(NDManager manager, ByteTransformerShape shape, long seed) {
        Random random = new Random(seed);
        float residualScale = (float) (0.02 / Math.sqrt(2.0 * shape.layers()));
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        shape.parameterShapes().forEach((name, dimensions) -> {
            Shape dims = new Shape(dimensions);
            NDArray value;
            if (name.endsWith(".gamma")) {
                value = manager.ones(dims);
            }
            else if (name.endsWith(".beta") || name.endsWith(".bias")) {
                value = manager.zeros(dims);
            }
            else {
                // projections into the residual stream start smaller, so deep stacks
                // start near the identity
                boolean residual = name.endsWith("attention_out.weight") || name.endsWith("mlp_out.weight");
                value = normal(manager, random, residual ? residualScale : 0.02f, dims);
            }
            parameters.put(name, value);
        });
        return new ByteTransformer(shape, parameters);
    }

    private static NDArray normal(NDManager manager, Random random, float deviation, Shape dims) {
        float[] values = new float[Math.toIntExact(dims.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * deviation);
        }
        return manager.create(values, dims);
    }

    public ByteTransformerShape shape() {
        return shape;
    }

    /** Every parameter, by name, for an optimiser. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // whole sequences

    /**
     * Logits for every position of every row: tokens {@code [B, T]} (int64) to
     * {@code [B, T, vocabulary]}.
     */
    public NDArray logits(NDArray tokens) {
        return forward(tokens, null, null).logits();
    }

    /**
     * Several prompts computed whole in one pass, left-padded to the longest (padding is
     * masked out): the logits of each prompt's last position, and keys and values
     * {@code [N, H, P, Dh]} laid out as the batch cache expects.
     */
    public Prefill prefill(NDManager manager, List<int[]> prompts) {
        int rows = prompts.size();
        int length = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        long[] ids = new long[rows * length];
        float[] padding = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            int[] prompt = prompts.get(r);
            int pad = length - prompt.length;
            for (int i = 0; i < length; i++) {
                if (i < pad) {
                    padding[r * length + i] = MASKED;
                }
                else {
                    ids[r * length + i] = prompt[i - pad];
                }
            }
        }
        NDArray tokens = manager.create(ids, new Shape(rows, length));
        NDArray paddingMask = manager.create(padding, new Shape(rows, 1, 1, length));
        List<NDArray> keys = new ArrayList<>(shape.layers());
        List<NDArray> values = new ArrayList<>(shape.layers());
        Forward forward = forward(tokens, paddingMask, new KeyValueSink(keys, values));
        float[] last = forward.logits().get(":, -1, :").toFloatArray();
        return new Prefill(last, keys, values);
    }

    /**
     * What {@link #prefill} computed: the next-token logits of row {@code r} at
     * {@code r * vocabulary}, and per layer keys and values {@code [N, H, P, Dh]}.
     */
    public record Prefill(float[] logits, List<NDArray> keys, List<NDArray> values) {
    }

    private record KeyValueSink(List<NDArray> keys, List<NDArray> values) {
    }

    private record Forward(NDArray logits) {
    }

    private Forward forward(NDArray tokens, NDArray padding, KeyValueSink sink) {
        NDManager manager = tokens.getManager();
        long batch = tokens.getShape().get(0);
        int length = (int) tokens.getShape().get(1);
        if (length > shape.context()) {
            throw new IllegalArgumentException("sequence of " + length + " exceeds the context of " + shape.context());
        }
        NDArray x = tokens.oneHot(shape.vocabulary()).matMul(parameter("token_embedding"));
        NDArray causal = manager.create(causalMask(length, slopes), new Shape(shape.heads(), length, length));
        if (padding != null) {
            causal = causal.add(padding);
        }
        for (int layer = 0; layer < shape.layers(); layer++) {
            String p = "layer" + layer + ".";
            NDArray normed = norm(x, p + "attention_norm");
            NDList qkv = dense(normed, p + "qkv").split(3, 2);
            NDArray q = heads(qkv.get(0), batch, length);
            NDArray k = heads(qkv.get(1), batch, length);
            NDArray v = heads(qkv.get(2), batch, length);
            if (sink != null) {
                sink.keys().add(k);
                sink.values().add(v);
            }
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(attentionScale).add(causal);
            NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, length, shape.width());
            x = x.add(dense(attended, p + "attention_out"));
            x = x.add(mlp(norm(x, p + "mlp_norm"), p));
        }
        NDArray out = norm(x, "final_norm").matMul(parameter("token_embedding").transpose());
        return new Forward(out);
    }

    /**
     * Per head: the ALiBi recency bias on past positions, {@link #MASKED} on future ones.
     */
    private static float[] causalMask(int length, float[] slopes) {
        float[] mask = new float[slopes.length * length * length];
        for (int head = 0; head < slopes.length; head++) {
            int base = head * length * length;
            for (int row = 0; row < length; row++) {
                for (int column = 0; column < length; column++) {
                    mask[base + row * length + column] = column > row ? MASKED : -slopes[head] * (row - column);
                }
            }
        }
        return mask;
    }

    /**
     * ALiBi (Press et al., 2022): each head penalises attention linearly with distance,
     * at its own slope. A small model then looks at the last few bytes from its first
     * step, instead of having to discover them through learned positions, and learns
     * words far faster.
     */
    private static float[] alibiSlopes(int heads) {
        float[] slopes = new float[heads];
        for (int head = 0; head < heads; head++) {
            slopes[head] = (float) Math.pow(2, -8.0 * (head + 1) / heads);
        }
        return slopes;
    }

    /**
     * The recency bias of one decode step: the query sits at the last of {@code length}
     * columns, in every row.
     */
    private NDArray decodeBias(NDManager manager, int length) {
        float[] bias = new float[shape.heads() * length];
        for (int head = 0; head < shape.heads(); head++) {
            for (int column = 0; column < length; column++) {
                bias[head * length + column] = -slopes[head] * (length - 1 - column);
            }
        }
        return manager.create(bias, new Shape(1, shape.heads(), 1, length));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // one step of a running batch

    /**
     * Computes the next-token logits of every row of a running batch and appends the new
     * keys and values to its cache. (Appending by concatenation copies the cache once per
     * layer and step; at this model's size that is cheaper than the extra operations of
     * writing into a preallocated cache, measured with {@code bench/batching.sh}.)
     * @param tokens the last token of each row, {@code [B]} int64
     * @param padding additive mask over the cache after this step's column,
     * {@code [B, 1, 1, T + 1]}: 0 where a row has a token, {@link #MASKED} where it is
     * left padding
     * @param keys per layer {@code [B, H, T, Dh]}; replaced by the arrays with this
     * step's column appended
     * @param values likewise
     * @return logits {@code [B, vocabulary]}
     */
    public NDArray decode(NDArray tokens, NDArray padding, List<NDArray> keys, List<NDArray> values) {
        long batch = tokens.getShape().get(0);
        NDArray bias = padding.add(decodeBias(tokens.getManager(), (int) padding.getShape().get(3)));
        NDArray x = tokens.oneHot(shape.vocabulary())
            .matMul(parameter("token_embedding"))
            .reshape(batch, 1, shape.width());
        for (int layer = 0; layer < shape.layers(); layer++) {
            String p = "layer" + layer + ".";
            NDList qkv = dense(norm(x, p + "attention_norm"), p + "qkv").split(3, 2);
            NDArray q = heads(qkv.get(0), batch, 1);
            NDArray k = NDArrays.concat(new NDList(keys.get(layer), heads(qkv.get(1), batch, 1)), 2);
            NDArray v = NDArrays.concat(new NDList(values.get(layer), heads(qkv.get(2), batch, 1)), 2);
            keys.set(layer, k);
            values.set(layer, v);
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(attentionScale).add(bias);
            NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, 1, shape.width());
            x = x.add(dense(attended, p + "attention_out"));
            x = x.add(mlp(norm(x, p + "mlp_norm"), p));
        }
        return norm(x, "final_norm").matMul(parameter("token_embedding").transpose())
            .reshape(batch, shape.vocabulary());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private NDArray heads(NDArray projected, long batch, int length) {
        return projected.reshape(batch, length, shape.heads(), shape.headWidth()).transpose(0, 2, 1, 3);
    }

    private NDArray mlp(NDArray normed, String prefix) {
        return dense(Activation.gelu(dense(normed, prefix + "mlp_in")), prefix + "mlp_out");
    }

    private NDArray dense(NDArray input, String name) {
        return Linear.linear(input, parameter(name + ".weight"), parameter(name + ".bias")).singletonOrThrow();
    }

    private NDArray norm(NDArray input, String name) {
        return LayerNorm
            .layerNorm(input, new Shape(shape.width()), parameter(name + ".gamma"), parameter(name + ".beta"),
                    LAYER_NORM_EPSILON)
            .singletonOrThrow();
    }

    private NDArray parameter(String name) {
        NDArray array = parameters.get(name);
        if (array == null) {
            throw new IllegalStateException("model has no parameter " + name);
        }
        return array;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // files: a small self-describing format, so a model is read without DJL's model zoo
    // or any download

    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
        data.writeInt(FILE_MAGIC);
        data.writeInt(shape.vocabulary());
        data.writeInt(shape.context());
        data.writeInt(shape.width());
        data.writeInt(shape.heads());
        data.writeInt(shape.layers());
        data.writeInt(shape.hidden());
        data.writeInt(parameters.size());
        for (Map.Entry<String, NDArray> parameter : parameters.entrySet()) {
            data.writeUTF(parameter.getKey());
            long[] dimensions = parameter.getValue().getShape().getShape();
            data.writeInt(dimensions.length);
            for (long dimension : dimensions) {
                data.writeLong(dimension);
            }
            for (float value : parameter.getValue().toFloatArray()) {
                data.writeFloat(value);
            }
        }
        data.flush();
    }

    public static ByteTransformer load(NDManager manager, InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in));
        if (data.readInt() != FILE_MAGIC) {
            throw new IOException("not a Token Factory byte transformer file");
        }
        ByteTransformerShape shape = new ByteTransformerShape(data.readInt(), data.readInt(), data.readInt(),
                data.readInt(), data.readInt(), data.readInt());
        int count = data.readInt();
        Map<String, long[]> expected = shape.parameterShapes();
        if (count != expected.size()) {
            throw new IOException("model file has " + count + " parameters; its shape needs " + expected.size());
        }
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = data.readUTF();
            long[] dimensions = new long[data.readInt()];
            for (int d = 0; d < dimensions.length; d++) {
                dimensions[d] = data.readLong();
            }
            if (!Arrays.equals(expected.get(name), dimensions)) {
                throw new IOException("model file parameter " + name + " does not match its shape");
            }
            float[] values = new float[Math.toIntExact(new Shape(dimensions).size())];
            for (int v = 0; v < values.length; v++) {
                values[v] = data.readFloat();
            }
            parameters.put(name, manager.create(values, new Shape(dimensions)));
        }
        if (parameters.size() != expected.size()) {
            throw new IOException("model file repeats a parameter");
        }
        return new ByteTransformer(shape, parameters);
    }

}
