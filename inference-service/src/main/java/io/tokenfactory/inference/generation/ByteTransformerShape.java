package io.tokenfactory.inference.generation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hyper-parameters of a {@link ByteTransformer}, stored beside its parameters so that
 * a model file always says how to read itself.
 *
 * @param vocabulary 256: one token per byte of UTF-8, so any text can be encoded and no
 * tokenizer ships
 * @param context the most tokens a sequence (prompt plus completion) may have
 * @param width the width of the residual stream
 * @param heads attention heads; {@code width} must divide by it
 * @param layers transformer blocks
 * @param hidden the width of each block's MLP
 */
public record ByteTransformerShape(int vocabulary, int context, int width, int heads, int layers, int hidden) {

    public ByteTransformerShape {
        if (vocabulary < 1 || context < 2 || width < 1 || heads < 1 || layers < 1 || hidden < 1 || width % heads != 0) {
            throw new IllegalArgumentException("inconsistent transformer shape: width " + width + ", heads " + heads);
        }
    }

    public int headWidth() {
        return width / heads;
    }

    /**
     * Every parameter's name and dimensions, in the order of the model file and of seeded
     * initialisation.
     */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("token_embedding", new long[] { vocabulary, width });
        for (int layer = 0; layer < layers; layer++) {
            String p = "layer" + layer + ".";
            shapes.put(p + "attention_norm.gamma", new long[] { width });
            shapes.put(p + "attention_norm.beta", new long[] { width });
            shapes.put(p + "qkv.weight", new long[] { 3L * width, width });
            shapes.put(p + "qkv.bias", new long[] { 3L * width });
            shapes.put(p + "attention_out.weight", new long[] { width, width });
            shapes.put(p + "attention_out.bias", new long[] { width });
            shapes.put(p + "mlp_norm.gamma", new long[] { width });
            shapes.put(p + "mlp_norm.beta", new long[] { width });
            shapes.put(p + "mlp_in.weight", new long[] { hidden, width });
            shapes.put(p + "mlp_in.bias", new long[] { hidden });
            shapes.put(p + "mlp_out.weight", new long[] { width, hidden });
            shapes.put(p + "mlp_out.bias", new long[] { width });
        }
        shapes.put("final_norm.gamma", new long[] { width });
        shapes.put("final_norm.beta", new long[] { width });
        return shapes;
    }

    public long parameterCount() {
        return parameterShapes().values()
            .stream()
            .mapToLong(dims -> Arrays.stream(dims).reduce(1, (a, b) -> a * b))
            .sum();
    }
}
