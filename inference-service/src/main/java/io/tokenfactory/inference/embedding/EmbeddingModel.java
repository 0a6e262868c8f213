package io.tokenfactory.inference.embedding;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

import io.tokenfactory.inference.energy.Work;
import io.tokenfactory.inference.generation.EngineBusyException;

/**
 * A sentence-embedding model on ONNX Runtime (all-MiniLM-L6-v2 by default) with its
 * Hugging Face tokenizer: the inputs of one request run as one padded batch, then mean
 * pooling over the attention mask and L2 normalisation, done in Java because ONNX Runtime
 * arrays support almost no math. One batch runs at a time; a bounded number of requests
 * may wait.
 */
public final class EmbeddingModel implements AutoCloseable {

    private final String name;

    private final Model model;

    private final Predictor<NDList, NDList> predictor;

    private final HuggingFaceTokenizer tokenizer;

    private final NDManager manager;

    private final int contextLength;

    private final int maxBatch;

    private final int queueCapacity;

    private final Semaphore admission;

    EmbeddingModel(String name, InputStream onnx, InputStream tokenizerJson, Device device, int contextLength,
            int maxBatch, int queueCapacity) throws IOException, MalformedModelException {
        this.name = name;
        this.contextLength = contextLength;
        this.maxBatch = maxBatch;
        this.queueCapacity = queueCapacity;
        this.admission = new Semaphore(queueCapacity + 1, true);
        this.model = Model.newInstance(name, device, "OnnxRuntime");
        model.load(onnx);
        this.predictor = model.newPredictor(new NoopTranslator());
        // no truncation: a text beyond the context is refused, never silently cut
        this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("truncation", "false", "padding", "false", "maxLength", String.valueOf(contextLength)));
        this.manager = NDManager.newBaseManager(device, "OnnxRuntime");
    }

    public int contextLength() {
        return contextLength;
    }

    /**
     * Tokens of each text, without running the model: for validation before any work
     * starts.
     */
    public List<Encoding> tokenize(List<String> texts) {
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (String text : texts) {
            encodings.add(tokenizer.encode(text));
        }
        return encodings;
    }

    /**
     * Unit vectors for the encoded texts; the tokens of each batch are told to
     * {@code work} as it runs.
     */
    public float[][] embed(List<Encoding> encodings, Work work) {
        if (!admission.tryAcquire()) {
            throw new EngineBusyException(name, queueCapacity, 1);
        }
        try {
            // the permit counts the running request and those waiting; the lock
            // serialises the model
            synchronized (this) {
                float[][] vectors = new float[encodings.size()][];
                for (int from = 0; from < encodings.size(); from += maxBatch) {
                    List<Encoding> chunk = encodings.subList(from, Math.min(encodings.size(), from + maxBatch));
                    float[][] embedded = runBatch(chunk, work);
                    System.arraycopy(embedded, 0, vectors, from, embedded.length);
                }
                return vectors;
            }
        }
        catch (TranslateException e) {
            throw new IllegalStateException("embedding model " + name + " failed", e);
        }
        finally {
            admission.release();
        }
    }

    private float[][] runBatch(List<Encoding> chunk, Work work) throws TranslateException {
        int batch = chunk.size();
        int length = chunk.stream().mapToInt(e -> e.getIds().length).max().orElse(1);
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] types = new long[batch * length];
        for (int row = 0; row < batch; row++) {
            Encoding encoding = chunk.get(row);
            long[] rowIds = encoding.getIds();
            long[] rowMask = encoding.getAttentionMask();
            long[] rowTypes = encoding.getTypeIds();
            System.arraycopy(rowIds, 0, ids, row * length, rowIds.length);
            System.arraycopy(rowMask, 0, mask, row * length, rowMask.length);
            System.arraycopy(rowTypes, 0, types, row * length, rowTypes.length);
        }
        double tokens = 0;
        for (long m : mask) {
            tokens += m;
        }
        work.tokens(tokens);
        float[] hidden;
        int width;
        try (NDManager scratch = manager.newSubManager()) {
            NDArray inputIds = scratch.create(ids, new Shape(batch, length));
            inputIds.setName("input_ids");
            NDArray attention = scratch.create(mask, new Shape(batch, length));
            attention.setName("attention_mask");
            NDArray typeIds = scratch.create(types, new Shape(batch, length));
            typeIds.setName("token_type_ids");
            NDList output = predictor.predict(new NDList(inputIds, attention, typeIds));
            NDArray lastHidden = output.get(0);
            width = (int) lastHidden.getShape().get(2);
            hidden = lastHidden.toFloatArray();
            output.close();
        }
        float[][] vectors = new float[batch][width];
        for (int row = 0; row < batch; row++) {
            int count = 0;
            for (int t = 0; t < length; t++) {
                if (mask[row * length + t] == 0) {
                    continue;
                }
                count++;
                int base = (row * length + t) * width;
                for (int d = 0; d < width; d++) {
                    vectors[row][d] += hidden[base + d];
                }
            }
            double norm = 0;
            for (int d = 0; d < width; d++) {
                vectors[row][d] /= Math.max(1, count);
                norm += vectors[row][d] * vectors[row][d];
            }
            float scale = (float) (1.0 / Math.max(1e-12, Math.sqrt(norm)));
            for (int d = 0; d < width; d++) {
                vectors[row][d] *= scale;
            }
        }
        return vectors;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
        tokenizer.close();
        manager.close();
    }

}
