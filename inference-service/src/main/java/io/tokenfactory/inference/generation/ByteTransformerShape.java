package io.tokenfactory.inference.generation;

/**
 * The hyper-parameters of a {@link ByteTransformer}, stored beside its parameters so that a model file always says how
 * to read itself.
 *
 * @param vocabulary   256: one token per byte of UTF-8, so any text can be encoded and no tokenizer ships
 * @param context      the most tokens a sequence (prompt plus completion) may have
 * @param width        the width of the residual stream
 * @param heads        attention heads; {@code width} must divide by it
 * @param layers       transformer blocks
 * @param hidden       the width of each block's MLP
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

    public long parameterCount() {
        long perLayer = 4L * width + 3L * width * width + 3L * width + (long) width * width + width
                + 2L * width * hidden + hidden + width;
        return (long) vocabulary * width + layers * perLayer + 2L * width;
    }
}
