package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.mllmrec.core.Json;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * mllmrec's own decoder-only transformer language model on DJL (see {@link LmConfig} for its shape). Written as
 * explicit parameter arrays and a hand-written forward pass so that attention is strictly causal, the KV cache is
 * exact, and every parameter has a stable name for checkpoints.
 *
 * <p>Weights are initialised from a seed with mllmrec's own generator, so the same config and seed give the same
 * model on every machine. Owns native memory: close it. Inference may run on several threads at once; training
 * (which updates the parameters) must not overlap with anything else.
 */
public final class CausalLm implements TrainablePolicy {

    /** The file name of the weights inside a model directory. */
    public static final String WEIGHTS_FILE = "model.params";
    /** The file name of the config inside a model directory. */
    public static final String CONFIG_FILE = "config.json";
    /**
     * The name under which {@link #parameterValues()} carries the frozen item-content vectors ({@code tokens x
     * dimension}, see {@link LmConfig.ItemContentShape}); they are saved with the weights but never trained.
     */
    public static final String CONTENT_VECTORS = "item_content.vectors";
    /** The trainable projection of the content vectors into the residual width ({@code dimension x dModel}). */
    public static final String CONTENT_PROJECTION = "item_content.proj";
    /**
     * The name under which {@link #parameterValues()} carries the item tokens that had no training interaction
     * (token ids as floats, ascending; frozen, saved with the weights, absent when there are none). Training pushes
     * such a token's own embedding down (it only ever occurs as a negative), so outside training the model serves it
     * by its content: its embedding and output rows are replaced by the mean of the trained item tokens' rows, and
     * the content term tells it apart from the other untrained items (cold start).
     */
    public static final String UNTRAINED_ITEMS = "item_content.untrained";

    private final LmConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, NDArray> paramsView = Collections.unmodifiableMap(params);
    private final NDArray cosTable;
    /** {@code sin} with the rotation's sign folded in: {@code -sin} on a head's first half, {@code sin} on its second. */
    private final NDArray signedSinTable;
    /** A head's second and first halves: their concatenation is the rotation of rotary positions, without signs. */
    private final NDIndex secondHalf;
    private final NDIndex firstHalf;
    private final Block[] blocks;
    private final NDArray tokenEmbedding;
    private final NDArray finalNormGamma;
    private final NDArray finalNormBeta;
    private final NDArray head;
    private final Shape normShape;
    private final float attentionScale;
    /** Content vectors with a zero row 0 ({@code (tokens + 1, dim)}), or {@code null} without a content term. */
    private final NDArray contentVectors;
    /** Each token id's row in {@link #contentVectors} (0 for tokens without content), int64 {@code (vocab)}. */
    private final NDArray contentIndex;
    private final NDArray contentProjection;
    /** The item tokens without training interactions, ascending ({@link #UNTRAINED_ITEMS}); empty when none. */
    private final int[] untrainedItems;
    /** The open {@link #forwardPass}, or {@code null}; used only by the thread that opened it. */
    private ContentPass openPass;
    /** The inference tables and the values they were computed from (guarded by {@code this}). */
    private NDArray cachedTable;
    private NDArray cachedEmbedding;
    private NDArray cachedInput;
    private NDArray cachedServedHead;
    private NDArray cachedHead;
    private NDArray cachedProjection;

    private record Block(NDArray ln1Gamma, NDArray ln1Beta, NDArray qkvWeight, NDArray qkvBias, NDArray outWeight,
                         NDArray outBias, NDArray ln2Gamma, NDArray ln2Beta, NDArray fc1Weight, NDArray fc1Bias,
                         NDArray fc2Weight, NDArray fc2Bias) {
    }

    private CausalLm(LmConfig config, NDManager manager, Map<String, float[]> values) {
        this.config = config;
        this.manager = manager;
        int d = config.dModel();
        int h = config.mlpHidden();
        this.normShape = new Shape(d);
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headSize()));
        this.tokenEmbedding = param(values, "tok_emb", config.vocabSize(), d);
        this.blocks = new Block[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            String p = "blocks." + l + ".";
            blocks[l] = new Block(
                    param(values, p + "ln1.gamma", d), param(values, p + "ln1.beta", d),
                    param(values, p + "attn.qkv.weight", 3 * d, d), param(values, p + "attn.qkv.bias", 3 * d),
                    param(values, p + "attn.out.weight", d, d), param(values, p + "attn.out.bias", d),
                    param(values, p + "ln2.gamma", d), param(values, p + "ln2.beta", d),
                    param(values, p + "mlp.fc1.weight", h, d), param(values, p + "mlp.fc1.bias", h),
                    param(values, p + "mlp.fc2.weight", d, h), param(values, p + "mlp.fc2.bias", d));
        }
        this.finalNormGamma = param(values, "ln_f.gamma", d);
        this.finalNormBeta = param(values, "ln_f.beta", d);
        this.head = config.tiedEmbeddings() ? tokenEmbedding : param(values, "head.weight", config.vocabSize(), d);
        LmConfig.ItemContentShape content = config.content();
        if (content.enabled()) {
            this.contentProjection = param(values, CONTENT_PROJECTION, content.dimension(), d);
            float[] vectors = values.get(CONTENT_VECTORS);
            if (vectors == null || vectors.length != (long) content.tokens() * content.dimension()) {
                throw new IllegalArgumentException("The item-content vectors '" + CONTENT_VECTORS + "' are "
                        + (vectors == null ? "missing" : "of " + vectors.length + " values") + ", expected "
                        + content.tokens() + " x " + content.dimension() + " for " + config + ".");
            }
            float[] padded = new float[vectors.length + content.dimension()];
            System.arraycopy(vectors, 0, padded, content.dimension(), vectors.length);
            this.contentVectors = manager.create(padded, new Shape(content.tokens() + 1, content.dimension()));
            long[] index = new long[config.vocabSize()];
            for (int t = 0; t < content.tokens(); t++) {
                index[content.firstToken() + t] = t + 1;
            }
            this.contentIndex = manager.create(index);
            this.untrainedItems = untrainedItems(values.get(UNTRAINED_ITEMS), content);
        } else {
            this.contentProjection = null;
            this.contentVectors = null;
            this.contentIndex = null;
            this.untrainedItems = new int[0];
        }
        int expected = params.size() + (content.enabled() ? 1 : 0) + (values.containsKey(UNTRAINED_ITEMS) ? 1 : 0);
        if (values.size() != expected) {
            for (String name : values.keySet()) {
                if (!params.containsKey(name) && !(content.enabled() && (name.equals(CONTENT_VECTORS)
                        || name.equals(UNTRAINED_ITEMS)))) {
                    throw new IllegalArgumentException("Unexpected parameter '" + name + "' for " + config + ".");
                }
            }
        }
        float[][] rope = ropeTables(config);
        int dh = config.headSize();
        this.cosTable = manager.create(rope[0], new Shape(config.contextLength(), dh));
        this.signedSinTable = manager.create(rope[1], new Shape(config.contextLength(), dh));
        int half = dh / 2;
        this.secondHalf = new NDIndex("..., " + half + ":");
        this.firstHalf = new NDIndex("..., :" + half);
    }

    /** Validates {@link #UNTRAINED_ITEMS}' values: whole item-token ids, strictly ascending, within the content. */
    private int[] untrainedItems(float[] values, LmConfig.ItemContentShape content) {
        if (values == null) {
            return new int[0];
        }
        int[] tokens = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            int t = (int) v;
            if (t != v || t < content.firstToken() || t >= content.firstToken() + content.tokens()
                    || (i > 0 && t <= tokens[i - 1])) {
                throw new IllegalArgumentException("'" + UNTRAINED_ITEMS + "' entry " + i + " is " + v + ": expected "
                        + "ascending item-token ids in [" + content.firstToken() + ", "
                        + (content.firstToken() + content.tokens()) + ") for " + config + ".");
            }
            tokens[i] = t;
        }
        if (tokens.length == content.tokens()) {
            throw new IllegalArgumentException("'" + UNTRAINED_ITEMS + "' lists every item token: at least one item "
                    + "must have been trained.");
        }
        return tokens;
    }

    /**
     * {@code table} ({@code vocab x d}, row-major) with the rows of {@code untrained} tokens replaced by the mean of
     * the other item tokens' rows ({@code [firstToken, firstToken + tokens)}); a new array. The serving form of the
     * embedding and output tables of a model with {@link #UNTRAINED_ITEMS}, shared by exporters.
     */
    public static float[] servingRows(float[] table, int d, int firstToken, int tokens, int[] untrained) {
        float[] out = table.clone();
        if (untrained.length == 0) {
            return out;
        }
        java.util.BitSet cold = new java.util.BitSet();
        for (int t : untrained) {
            cold.set(t);
        }
        double[] sum = new double[d];
        int n = 0;
        for (int t = firstToken; t < firstToken + tokens; t++) {
            if (!cold.get(t)) {
                for (int j = 0; j < d; j++) {
                    sum[j] += table[t * d + j];
                }
                n++;
            }
        }
        for (int t : untrained) {
            for (int j = 0; j < d; j++) {
                out[t * d + j] = (float) (sum[j] / n);
            }
        }
        return out;
    }

    /** The item tokens without training interactions, ascending ({@link #UNTRAINED_ITEMS}); empty when none. */
    public int[] untrainedItems() {
        return untrainedItems.clone();
    }

    private NDArray param(Map<String, float[]> values, String name, long... dims) {
        Shape shape = new Shape(dims);
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("Missing parameter '" + name + "' for " + config + ".");
        }
        if (v.length != shape.size()) {
            throw new IllegalArgumentException("Parameter '" + name + "' has " + v.length + " values, expected "
                    + shape + " for " + config + ".");
        }
        NDArray a = manager.create(v, shape);
        a.setRequiresGradient(true);
        params.put(name, a);
        return a;
    }

    /**
     * The rotary-position tables {@code {cos, signedSin}}, each {@code contextLength x headSize} row-major; the
     * rotation's sign is folded into {@code signedSin} ({@code -sin} on a head's first half, {@code sin} on its
     * second), so {@code rope(x) = x * cos + swapHalves(x) * signedSin}. Exporters reuse them verbatim.
     */
    public static float[][] ropeTables(LmConfig config) {
        int dh = config.headSize();
        int half = dh / 2;
        int n = config.contextLength();
        float[] cos = new float[n * dh];
        float[] sin = new float[n * dh];
        for (int pos = 0; pos < n; pos++) {
            for (int j = 0; j < half; j++) {
                double freq = Math.pow(config.ropeTheta(), -2.0 * j / dh);
                double angle = pos * freq;
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[pos * dh + j] = c;
                cos[pos * dh + j + half] = c;
                // rotate_half(x) * sin = [-x2, x1] * sin = [x2, x1] * [-sin, sin]: the sign lives in the table
                sin[pos * dh + j] = -s;
                sin[pos * dh + j + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }

    /** A freshly initialised model owned by a new base manager; the config must have no item-content term. */
    public static CausalLm create(LmConfig config, long seed) {
        return new CausalLm(config, Devices.newManager(), initialValues(config, seed));
    }

    /**
     * A freshly initialised model with frozen item-content vectors, owned by a new base manager.
     *
     * @param contentVectors {@code config.content().tokens() x config.content().dimension()} values, row-major,
     *                       one row per item token in token order
     */
    public static CausalLm create(LmConfig config, long seed, float[] contentVectors) {
        return create(config, seed, contentVectors, new int[0]);
    }

    /**
     * A freshly initialised model with frozen item-content vectors and the item tokens that have no training
     * interaction ({@link #UNTRAINED_ITEMS}: served by their content), owned by a new base manager.
     *
     * @param contentVectors {@code config.content().tokens() x config.content().dimension()} values, row-major,
     *                       one row per item token in token order
     * @param untrainedItems item-token ids without training interactions, ascending (may be empty)
     */
    public static CausalLm create(LmConfig config, long seed, float[] contentVectors, int[] untrainedItems) {
        Map<String, float[]> values = initialValues(config, seed);
        values.put(CONTENT_VECTORS, contentVectors);
        if (untrainedItems.length > 0) {
            float[] tokens = new float[untrainedItems.length];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = untrainedItems[i];
            }
            values.put(UNTRAINED_ITEMS, tokens);
        }
        return new CausalLm(config, Devices.newManager(), values);
    }

    /** A freshly initialised model whose parameters live in a sub-manager of {@code parent}. */
    public static CausalLm create(LmConfig config, long seed, NDManager parent) {
        return new CausalLm(config, parent.newSubManager(), initialValues(config, seed));
    }

    /**
     * The initial weights: normal(0, initStd) for embeddings and input projections, scaled by
     * 1/sqrt(2 * layers) for the projections that write into the residual stream, zero biases, unit LayerNorm
     * gains. Drawn in parameter order from one {@link SeededRandom}.
     */
    static Map<String, float[]> initialValues(LmConfig config, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        int d = config.dModel();
        int h = config.mlpHidden();
        double std = config.initStd();
        double residualStd = std / Math.sqrt(2.0 * config.layers());
        Map<String, float[]> v = new LinkedHashMap<>();
        v.put("tok_emb", normal(rng, (long) config.vocabSize() * d, std));
        for (int l = 0; l < config.layers(); l++) {
            String p = "blocks." + l + ".";
            v.put(p + "ln1.gamma", filled(d, 1f));
            v.put(p + "ln1.beta", new float[d]);
            v.put(p + "attn.qkv.weight", normal(rng, 3L * d * d, std));
            v.put(p + "attn.qkv.bias", new float[3 * d]);
            v.put(p + "attn.out.weight", normal(rng, (long) d * d, residualStd));
            v.put(p + "attn.out.bias", new float[d]);
            v.put(p + "ln2.gamma", filled(d, 1f));
            v.put(p + "ln2.beta", new float[d]);
            v.put(p + "mlp.fc1.weight", normal(rng, (long) h * d, std));
            v.put(p + "mlp.fc1.bias", new float[h]);
            v.put(p + "mlp.fc2.weight", normal(rng, (long) d * h, residualStd));
            v.put(p + "mlp.fc2.bias", new float[d]);
        }
        v.put("ln_f.gamma", filled(d, 1f));
        v.put("ln_f.beta", new float[d]);
        if (!config.tiedEmbeddings()) {
            v.put("head.weight", normal(rng, (long) config.vocabSize() * d, std));
        }
        if (config.content().enabled()) {
            // Drawn last, so a model without content is initialised exactly as before the term existed. Content
            // vectors are unit-length, so each projected row starts at about the token embeddings' scale.
            v.put(CONTENT_PROJECTION, normal(rng, (long) config.content().dimension() * d, std));
        }
        return v;
    }

    private static float[] normal(SeededRandom rng, long n, double std) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (rng.nextGaussian() * std);
        }
        return out;
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    /** The config. */
    public LmConfig config() {
        return config;
    }

    /** The number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size();
        }
        return n;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return paramsView;
    }

    @Override
    public KvCache newCache(NDManager parent, int batchSize) {
        return new KvCache(parent, config.layers(), batchSize);
    }

    @Override
    public NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache) {
        return hidden(tokens, positions, keyMask, cache, null);
    }

    /**
     * {@link #hidden(NDArray, NDArray, NDArray, KvCache)} for training, with {@code dropout} (may be {@code null})
     * applied to the embeddings and to the output of every attention and MLP sub-layer before its residual add.
     */
    public NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache, Dropout dropout) {
        Shape shape = tokens.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("Tokens must be (batch, time), got " + shape + ".");
        }
        int batch = (int) shape.get(0);
        int time = (int) shape.get(1);
        int past = cache == null ? 0 : cache.length();
        if (past + time > config.contextLength()) {
            throw new IllegalArgumentException("The sequence of " + (past + time) + " tokens exceeds the context "
                    + "length " + config.contextLength() + ".");
        }
        NDManager m = tokens.getManager();
        NDArray ids = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        int d = config.dModel();
        int heads = config.heads();
        int dh = config.headSize();

        NDArray x = tokenRows(untrainedItems.length > 0 && !ai.djl.pytorch.jni.JniUtils.isGradMode()
                ? servingTables()[0] : tokenEmbedding, ids, m);
        if (dropout != null) {
            x = dropout.apply(x);
        }
        NDArray cos;
        NDArray sin;
        if (positions == null) {
            // Every row at positions past .. past + time - 1: one slice of each table, broadcast over the batch.
            NDIndex rows = new NDIndex().addSliceDim(past, past + time);
            cos = local(cosTable.get(rows), m).reshape(1, 1, time, dh);
            sin = local(signedSinTable.get(rows), m).reshape(1, 1, time, dh);
        } else {
            NDArray pos = positions.getDataType() == DataType.INT64 ? positions
                    : positions.toType(DataType.INT64, false);
            cos = Embedding.embedding(pos, cosTable, SparseFormat.DENSE).singletonOrThrow()
                    .reshape(batch, 1, time, dh);
            sin = Embedding.embedding(pos, signedSinTable, SparseFormat.DENSE).singletonOrThrow()
                    .reshape(batch, 1, time, dh);
        }
        NDArray newKeyBias = keyMask == null ? null
                : Scalars.mul(keyMask.toType(DataType.FLOAT32, false).neg().add(1f), KvCache.MASKED);
        NDArray bias = attentionBias(m, batch, time, past, cache, newKeyBias);

        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            NDArray hNorm = LayerNorm.layerNorm(x, normShape, b.ln1Gamma, b.ln1Beta, (float) config.layerNormEps())
                    .singletonOrThrow();
            NDArray qkv = Linear.linear(hNorm, b.qkvWeight, b.qkvBias).singletonOrThrow()
                    .reshape(batch, time, 3, heads, dh).transpose(2, 0, 3, 1, 4); // (3, B, H, T, dh)
            NDArray qk = qkv.get(new NDIndex("0:2"));
            // Rotary positions: x cos + rotate_half(x) sin, the rotation as a swap of halves (no matrix product).
            NDArray swapped = NDArrays.concat(new NDList(qk.get(secondHalf), qk.get(firstHalf)), -1);
            qk = qk.mul(cos).add(swapped.mul(sin));
            NDArray q = Scalars.mul(qk.get(0), attentionScale);
            NDArray k = qk.get(1);
            NDArray v = qkv.get(2);
            if (cache != null) {
                NDList kv = cache.append(l, k, v);
                k = kv.get(0);
                v = kv.get(1);
            }
            NDArray scores = q.matMul(local(k.transpose(0, 1, 3, 2), m)); // (B, H, T, S)
            if (bias != null) {
                scores = scores.add(bias);
            }
            NDArray attended = scores.softmax(-1).matMul(v) // (B, H, T, dh)
                    .transpose(0, 2, 1, 3).reshape(batch, time, d);
            NDArray attnOut = Linear.linear(attended, b.outWeight, b.outBias).singletonOrThrow();
            x = x.add(dropout == null ? attnOut : dropout.apply(attnOut));
            NDArray h2 = LayerNorm.layerNorm(x, normShape, b.ln2Gamma, b.ln2Beta, (float) config.layerNormEps())
                    .singletonOrThrow();
            NDArray mlp = Activation.gelu(Linear.linear(h2, b.fc1Weight, b.fc1Bias).singletonOrThrow());
            NDArray mlpOut = Linear.linear(mlp, b.fc2Weight, b.fc2Bias).singletonOrThrow();
            x = x.add(dropout == null ? mlpOut : dropout.apply(mlpOut));
        }
        if (cache != null) {
            cache.commit(newKeyBias, time);
        }
        return LayerNorm.layerNorm(x, normShape, finalNormGamma, finalNormBeta, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    /**
     * The additive attention bias {@code (B or 1, 1, T, past + T)}: masked keys (padding) and future keys get
     * {@link KvCache#MASKED}; {@code null} when nothing is masked.
     */
    private static NDArray attentionBias(NDManager m, int batch, int time, int past, KvCache cache,
                                         NDArray newKeyBias) {
        int total = past + time;
        NDArray keyBias = null;
        NDArray pastBias = cache == null || past == 0 ? null : cache.keyBias();
        if (pastBias != null || newKeyBias != null) {
            NDArray fresh = newKeyBias != null ? newKeyBias : m.zeros(new Shape(batch, time), DataType.FLOAT32);
            NDArray before = pastBias != null ? pastBias
                    : past > 0 ? m.zeros(new Shape(batch, past), DataType.FLOAT32) : null;
            keyBias = before == null ? fresh : local(NDArrays.concat(new NDList(before, fresh), 1), m);
            keyBias = keyBias.reshape(batch, 1, 1, total);
        }
        NDArray causal = null;
        if (time > 1) {
            NDArray cols = m.arange(0, total, 1, DataType.INT64).reshape(1, total);
            NDArray rows = m.arange(past, total, 1, DataType.INT64).reshape(time, 1);
            causal = Scalars.mul(cols.gt(rows).toType(DataType.FLOAT32, false), KvCache.MASKED)
                    .reshape(1, 1, time, total);
        }
        if (keyBias == null) {
            return causal;
        }
        return causal == null ? keyBias : keyBias.add(causal);
    }

    /** Moves {@code a} into {@code m} when an operation on a cached array created it elsewhere. */
    private static NDArray local(NDArray a, NDManager m) {
        if (a.getManager() != m) {
            a.attach(m);
        }
        return a;
    }

    /**
     * Opens a forward-and-backward pass in {@code m} (see {@link TrainablePolicy#forwardPass}): while it is open,
     * the items' content is projected once, on first use, and every item row of the pass (the input tokens, the
     * sampled softmax's candidates, the pool, the output table) is gathered from that one {@code (tokens + 1,
     * dModel)} table, where each call would otherwise project its own rows. A pre-training step makes four such
     * calls; sharing the projection took its step from about 100 to about 86 ms (DJL, {@code docs/performance.md}).
     * The same values up to rounding. Close it before the weights change; only the opening thread sees it, and only
     * while gradients are recorded.
     *
     * @throws IllegalStateException if a pass is already open
     */
    @Override
    public ForwardPass forwardPass(NDManager m) {
        if (contentVectors == null) {
            return ForwardPass.NONE;
        }
        if (openPass != null) {
            throw new IllegalStateException("A forward pass is already open on this model: close it first.");
        }
        ContentPass pass = new ContentPass(m, Thread.currentThread());
        openPass = pass;
        return pass;
    }

    /** The projected content shared by the open pass ({@code (tokens + 1, dModel)}), or {@code null}. */
    private NDArray sharedProjection() {
        ContentPass pass = openPass;
        if (pass == null || pass.owner != Thread.currentThread() || !ai.djl.pytorch.jni.JniUtils.isGradMode()) {
            return null;
        }
        if (pass.projected == null) {
            pass.projected = local(contentVectors.matMul(contentProjection), pass.manager);
        }
        return pass.projected;
    }

    /** {@link #forwardPass} of a model with item content. */
    private final class ContentPass implements ForwardPass {
        private final NDManager manager;
        private final Thread owner;
        private NDArray projected;

        ContentPass(NDManager manager, Thread owner) {
            this.manager = manager;
            this.owner = owner;
        }

        @Override
        public void close() {
            if (openPass == this) {
                openPass = null;
            }
        }
    }

    /**
     * The rows of {@code table} (the token embeddings or the output layer) for token ids {@code ids} (int64, any
     * shape), plus each item token's projected content: shape {@code ids.shape + (dModel)}, in {@code m}.
     *
     * <p>Inside a {@link #forwardPass} the content rows are gathered from the pass's projection. Outside one the
     * content is projected per occurrence when there are fewer ids than content rows, and otherwise once per
     * content row and gathered: the sampled softmax's {@code (targets x candidates)} ids repeat items many times
     * (12,800 ids over 2,943 items a pre-training step), and projecting each item once costs a fraction of
     * projecting every occurrence, forward and backward ({@code docs/performance.md}). All give the same rows up to
     * rounding; which one a call takes depends only on the shapes and the pass, so a run is still reproducible.
     */
    private NDArray tokenRows(NDArray table, NDArray ids, NDManager m) {
        NDArray rows = local(Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow(), m);
        if (contentVectors == null) {
            return rows;
        }
        NDArray slots = local(contentIndex.take(ids), m);
        // Every content row projected, (tokens + 1, dModel): row 0 is zero, so tokens without content gather zeros.
        NDArray all = sharedProjection();
        if (all == null && ids.getShape().size() >= contentVectors.getShape().get(0)) {
            all = local(contentVectors.matMul(contentProjection), m);
        }
        if (all != null) {
            return rows.add(local(Embedding.embedding(slots, all, SparseFormat.DENSE).singletonOrThrow(), m));
        }
        NDArray vectors = local(Embedding.embedding(slots, contentVectors, SparseFormat.DENSE).singletonOrThrow(), m);
        return rows.add(local(vectors.matMul(contentProjection), m));
    }

    /**
     * The output layer as a {@code (vocab, dModel)} table, with the item tokens' projected content added. Outside
     * gradient recording (inference: decoding, ranking) the table is computed once and reused for as long as the
     * output layer and the content projection hold the values it was computed from (checked exactly, element by
     * element, at a small fraction of the projection's cost), so a changed parameter is never served stale; there
     * the rows of {@link #UNTRAINED_ITEMS} are the mean of the trained item rows.
     */
    private NDArray outputTable(NDManager m) {
        if (contentVectors == null) {
            return head;
        }
        if (ai.djl.pytorch.jni.JniUtils.isGradMode()) {
            NDArray shared = sharedProjection();
            return shared == null ? contentTable(head, m)
                    : contentTable(head, local(shared.get(new NDIndex("1:")), m), m); // the item rows only
        }
        return servingTables()[1];
    }

    /**
     * The inference tables {@code {embedding, output table, output layer}}: the embedding and the output layer with
     * the rows of {@link #UNTRAINED_ITEMS} replaced (see {@link #servingRows}; {@code null} without such items), and
     * the output table (that output layer with the projected content added); cached while the parameters they come
     * from are unchanged (checked exactly).
     */
    private NDArray[] servingTables() {
        synchronized (this) {
            if (cachedTable == null || !head.contentEquals(cachedHead)
                    || !contentProjection.contentEquals(cachedProjection)
                    || (cachedInput != null && !tokenEmbedding.contentEquals(cachedInput))) {
                if (cachedTable != null) {
                    for (NDArray a : new NDArray[] {cachedTable, cachedHead, cachedProjection, cachedInput,
                            cachedEmbedding, cachedServedHead == cachedEmbedding ? null : cachedServedHead}) {
                        if (a != null) {
                            a.close();
                        }
                    }
                }
                try (NDManager tmp = manager.newSubManager()) {
                    NDArray table = contentTable(servingForm(head, tmp), tmp);
                    table.attach(manager);
                    cachedTable = table;
                }
                cachedHead = head.duplicate();
                cachedProjection = contentProjection.duplicate();
                boolean served = untrainedItems.length > 0;
                cachedInput = served && head != tokenEmbedding ? tokenEmbedding.duplicate() : null;
                cachedServedHead = served ? servingForm(head, manager) : null;
                cachedEmbedding = !served ? null
                        : head == tokenEmbedding ? cachedServedHead : servingForm(tokenEmbedding, manager);
            }
            return new NDArray[] {cachedEmbedding, cachedTable, cachedServedHead};
        }
    }

    /** The output layer to score with: its serving form outside training when some items are untrained. */
    private NDArray scoringHead() {
        return untrainedItems.length > 0 && !ai.djl.pytorch.jni.JniUtils.isGradMode() ? servingTables()[2] : head;
    }

    /** {@code table} in its serving form ({@link #servingRows}) in {@code m}, or {@code table} itself if unchanged. */
    private NDArray servingForm(NDArray table, NDManager m) {
        if (untrainedItems.length == 0) {
            return table;
        }
        LmConfig.ItemContentShape c = config.content();
        return m.create(servingRows(table.toFloatArray(), config.dModel(), c.firstToken(), c.tokens(),
                untrainedItems), table.getShape());
    }

    /** {@code table} (the output layer or its serving form) with the projected content added, in {@code m}. */
    private NDArray contentTable(NDArray table, NDManager m) {
        NDArray items = local(contentVectors.get(new NDIndex("1:")), m); // a slice of a model array: move it
        return contentTable(table, local(items.matMul(contentProjection), m), m);
    }

    /** {@code table} with {@code projected}, the items' projected content ({@code (tokens, dModel)}), added. */
    private NDArray contentTable(NDArray table, NDArray projected, NDManager m) {
        LmConfig.ItemContentShape c = config.content();
        int d = config.dModel();
        NDList parts = new NDList();
        if (c.firstToken() > 0) {
            parts.add(m.zeros(new Shape(c.firstToken(), d)));
        }
        parts.add(projected);
        int after = config.vocabSize() - c.firstToken() - c.tokens();
        if (after > 0) {
            parts.add(m.zeros(new Shape(after, d)));
        }
        return local(table.add(local(NDArrays.concat(parts, 0), m)), m);
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, outputTable(hidden.getManager())).singletonOrThrow();
    }

    /**
     * The logits of chosen tokens only: {@code hidden (n, d)} and token ids {@code (n, m)} give {@code (n, m)}, the
     * same values as the matching entries of {@link #logits} at a fraction of the cost (sampled-softmax training).
     */
    public NDArray logitsOf(NDArray hidden, NDArray tokens) {
        Shape ts = tokens.getShape();
        NDArray ids = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        NDArray rows = tokenRows(scoringHead(), ids, hidden.getManager()); // (n, m, d)
        return rows.matMul(hidden.reshape(ts.get(0), config.dModel(), 1)).reshape(ts.get(0), ts.get(1));
    }

    /**
     * The logits of one shared set of tokens: {@code hidden (n, d)} and token ids {@code (m)} give {@code (n, m)},
     * the same values as the matching columns of {@link #logits} (a shared sampled softmax).
     */
    public NDArray logitsOver(NDArray hidden, NDArray tokens) {
        NDArray ids = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        NDArray rows = tokenRows(scoringHead(), ids, hidden.getManager()); // (m, d)
        return hidden.matMul(rows.transpose());
    }

    /** Logits {@code (batch, time, vocab)} of a whole batch, without a cache. */
    public NDArray forward(NDArray tokens) {
        return logits(hidden(tokens, null, null, null));
    }

    /**
     * All parameters' values by name, copied to the Java heap, plus the frozen item-content vectors under
     * {@link #CONTENT_VECTORS} when the model has them.
     */
    public Map<String, float[]> parameterValues() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        if (contentVectors != null) {
            float[] padded = contentVectors.toFloatArray();
            out.put(CONTENT_VECTORS, java.util.Arrays.copyOfRange(padded, config.content().dimension(),
                    padded.length));
        }
        if (untrainedItems.length > 0) {
            float[] tokens = new float[untrainedItems.length];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = untrainedItems[i];
            }
            out.put(UNTRAINED_ITEMS, tokens);
        }
        return out;
    }

    /** Overwrites every parameter with {@code values} (same names and sizes). */
    @SuppressWarnings("try")
    public void setParameterValues(Map<String, float[]> values) {
        java.util.Set<String> names = new java.util.HashSet<>(values.keySet());
        names.remove(CONTENT_VECTORS); // frozen: the model keeps its own
        names.remove(UNTRAINED_ITEMS);
        if (!names.equals(params.keySet())) {
            throw new IllegalArgumentException("Parameter names differ: expected " + params.keySet() + ", got "
                    + values.keySet() + ".");
        }
        try (GradMode ignored = GradMode.disabled()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                float[] v = values.get(e.getKey());
                if (v.length != e.getValue().size()) {
                    throw new IllegalArgumentException("Parameter '" + e.getKey() + "' has " + v.length
                            + " values, expected " + e.getValue().size() + ".");
                }
                e.getValue().set(v);
            }
        }
    }

    /** An independent copy with the same weights (for example a frozen reference policy). */
    public CausalLm copy() {
        return new CausalLm(config, Devices.newManager(), parameterValues());
    }

    /** Writes {@code config.json} and {@code model.params} into {@code dir}, each atomically. */
    public void save(Path dir) {
        Json.writePretty(dir.resolve(CONFIG_FILE), config);
        ParameterFiles.write(dir.resolve(WEIGHTS_FILE), parameterValues());
    }

    @Override
    public String signature() {
        return config.toString();
    }

    @Override
    public LmConfig lmConfig() {
        return config;
    }

    /** {@link #save}: the trainable state is the whole model. */
    @Override
    public void saveTrainable(Path dir) {
        save(dir);
    }

    /** Overwrites every parameter with those of the model {@link #save} wrote into {@code dir}. */
    @Override
    public void loadTrainable(Path dir) {
        try (CausalLm saved = load(dir)) {
            setParameterValues(saved.parameterValues());
        }
    }

    /** Reads a model written by {@link #save}. */
    public static CausalLm load(Path dir) {
        LmConfig config = Json.read(dir.resolve(CONFIG_FILE), LmConfig.class);
        Map<String, float[]> values = ParameterFiles.read(dir.resolve(WEIGHTS_FILE));
        return new CausalLm(config, Devices.newManager(), values);
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "CausalLm[" + config + "]";
    }
}
