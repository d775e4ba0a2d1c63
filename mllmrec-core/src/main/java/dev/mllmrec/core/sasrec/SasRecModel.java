package dev.mllmrec.core.sasrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.Devices;
import dev.mllmrec.core.lm.ParameterFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SASRec (Kang and McAuley, 2018): a causal self-attention encoder over a user's item sequence whose hidden state at
 * each position scores the next item by a dot product with that item's embedding.
 *
 * <p>Architecture, as in the paper: item embeddings scaled by the square root of the width plus learned absolute
 * positions, dropout; then {@link SasRecConfig#blocks()} pre-LayerNorm blocks {@code x + Dropout(Attention(LN(x)))}
 * and {@code x + Dropout(FFN(LN(x)))} with multi-head causal self-attention and a point-wise two-layer ReLU
 * feed-forward network; a final LayerNorm. Sequences are right-aligned and left-padded with index 0; padded
 * positions are masked as keys and zeroed after every block. Output embeddings are shared with input embeddings.
 *
 * <p>Content-aware, optionally: given fixed side features per item ({@link #create(SasRecConfig, Collection, Map)},
 * for instance {@code ItemFacets}' genres, decade and poster measurements), every item's embedding, on the input and
 * the output side alike, is its learnt id embedding plus a learnt linear map of its features
 * ({@code feature_projection.weight}, no bias). An item without training interactions then still has a
 * representation from its content and can be ranked (cold start). The features are saved with the model.
 *
 * <p>Items are addressed by their external ids; the model holds a fixed vocabulary (ids in ascending order, dense
 * index {@code i + 1}). Unknown ids in a history are skipped; unknown candidates score {@link #UNKNOWN_ITEM_SCORE}.
 *
 * <p>Owns native memory: close it. Thread-safety: scoring ({@link #scoreLast}) may run concurrently from many
 * threads as long as no training step updates the weights at the same time; training is single-threaded and is done
 * by {@link SasRecTrainer}.
 */
public final class SasRecModel implements AutoCloseable {

    /** The score of a candidate the model has never seen; it ranks below every known item. */
    public static final double UNKNOWN_ITEM_SCORE = -1e30;

    /** The format of {@code checkpoint.json}: version 2 keeps the weights in {@code model.params}. */
    static final String FORMAT = "mllmrec-sasrec/2";
    /** Version 1: the weights in DJL's {@code NDList} encoding ({@code weights.ndlist}); still read. */
    static final String FORMAT_V1 = "mllmrec-sasrec/1";
    static final String CHECKPOINT_FILE = "checkpoint.json";
    /** The weights, in the policy's format ({@link ParameterFiles}, the same file name as a policy checkpoint's). */
    static final String WEIGHTS_FILE = CausalLm.WEIGHTS_FILE;
    static final String WEIGHTS_FILE_V1 = "weights.ndlist";

    /** The learnt map of a content-aware model's side features into the embedding space, {@code (H, width)}. */
    static final String FEATURE_PROJECTION = "feature_projection.weight";
    /** The name under which the weights file ({@code model.params}) holds the side features (never trained). */
    static final String ITEM_FEATURES = "item_features";

    /** The additive attention bias of a masked key (exporters reproduce it exactly). */
    public static final float MASKED = -1e9f;
    /** The epsilon of every LayerNorm. */
    public static final float LN_EPS = 1e-8f;
    /** Requests scored per forward pass in {@link #scoreLast}, bounding memory. */
    private static final int SCORE_CHUNK = 512;

    private final SasRecConfig config;
    private final int[] itemIds;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    /** The side features by dense index ({@code (items + 1, width)}, row 0 zero; never trained), or null. */
    private final NDArray features;
    private final Map<String, Object> provenance;
    private volatile boolean closed;

    private SasRecModel(SasRecConfig config, int[] itemIds, NDManager manager, Map<String, NDArray> params,
                        NDArray features, Map<String, Object> provenance) {
        this.config = config;
        this.itemIds = itemIds;
        this.manager = manager;
        this.params = params;
        this.features = features;
        this.provenance = new LinkedHashMap<>(provenance);
    }

    /**
     * A freshly initialised model over {@code itemIds}, deterministic in {@code config.seed()}.
     *
     * @param itemIds the vocabulary: distinct positive item ids, in any order
     * @throws IllegalArgumentException when the vocabulary is empty or holds a non-positive id
     */
    public static SasRecModel create(SasRecConfig config, Collection<Integer> itemIds) {
        return create(config, itemIds, Map.of());
    }

    /**
     * A freshly initialised content-aware model over {@code itemIds}, deterministic in {@code config.seed()}: each
     * item's embedding is its id embedding plus a learnt linear map of {@code features} (see the class comment). With
     * no features it is {@link #create(SasRecConfig, Collection)}'s model, to the last bit.
     *
     * @param features the side features by item id, all of one width and finite; an item without an entry gets
     *                 zeros (it is then represented by its id embedding alone); an entry for an item outside the
     *                 vocabulary is ignored
     * @throws IllegalArgumentException when the vocabulary is empty or holds a non-positive id, or the features
     *                                  differ in width or hold a value that is not finite (naming the item)
     */
    public static SasRecModel create(SasRecConfig config, Collection<Integer> itemIds, Map<Integer, float[]> features) {
        int[] ids = itemIds.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        if (ids.length == 0) {
            throw new IllegalArgumentException("A SASRec model needs at least one item in its vocabulary.");
        }
        if (ids[0] <= 0) {
            throw new IllegalArgumentException("SASRec item ids must be positive, got " + ids[0] + ".");
        }
        NDManager manager = Devices.newManager();
        try {
            Random rnd = new Random(config.seed());
            int h = config.hiddenSize();
            int v = ids.length + 1;
            Map<String, NDArray> p = new LinkedHashMap<>();
            float[] emb = normal(rnd, v * h, Math.sqrt(2.0 / (v + h)));
            Arrays.fill(emb, 0, h, 0f); // padding row
            p.put("item_embedding", manager.create(emb, new Shape(v, h)));
            p.put("position_embedding",
                    manager.create(normal(rnd, config.maxLength() * h, Math.sqrt(2.0 / (config.maxLength() + h))),
                            new Shape(config.maxLength(), h)));
            for (int b = 0; b < config.blocks(); b++) {
                String pre = "block" + b + ".";
                putNorm(p, manager, pre + "ln1", h);
                for (String proj : List.of("q", "k", "v", "o")) {
                    putLinear(p, manager, rnd, pre + "attn." + proj, h, h);
                }
                putNorm(p, manager, pre + "ln2", h);
                putLinear(p, manager, rnd, pre + "ffn1", h, h);
                putLinear(p, manager, rnd, pre + "ffn2", h, h);
            }
            putNorm(p, manager, "final_ln", h);
            float[] table = featureTable(ids, features);
            NDArray featureArray = null;
            if (table != null) {
                int f = table.length / v;
                featureArray = manager.create(table, new Shape(v, f));
                p.put(FEATURE_PROJECTION, manager.create(normal(rnd, h * f, Math.sqrt(2.0 / (h + f))),
                        new Shape(h, f)));
            }
            return new SasRecModel(config, ids, manager, p, featureArray, Map.of());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The features as a row-major {@code (ids.length + 1, width)} table by dense index, or null when none. */
    private static float[] featureTable(int[] ids, Map<Integer, float[]> features) {
        if (features == null || features.isEmpty()) {
            return null;
        }
        int width = -1;
        int first = 0;
        for (Map.Entry<Integer, float[]> e : new java.util.TreeMap<>(features).entrySet()) {
            float[] row = e.getValue();
            if (width < 0) {
                width = row.length;
                first = e.getKey();
            } else if (row.length != width) {
                throw new IllegalArgumentException("SASRec item features must all have one width: item " + e.getKey()
                        + " has " + row.length + " values, item " + first + " has " + width + ".");
            }
            for (float x : row) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("SASRec item features of item " + e.getKey()
                            + " hold a value that is not finite: " + x + ".");
                }
            }
        }
        if (width == 0) {
            throw new IllegalArgumentException("SASRec item features have width 0.");
        }
        float[] table = new float[(ids.length + 1) * width];
        for (int i = 0; i < ids.length; i++) {
            float[] row = features.get(ids[i]);
            if (row != null) {
                System.arraycopy(row, 0, table, (i + 1) * width, width);
            }
        }
        return table;
    }

    private static float[] normal(Random rnd, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * std);
        }
        return a;
    }

    private static void putNorm(Map<String, NDArray> p, NDManager m, String name, int h) {
        p.put(name + ".gamma", m.ones(new Shape(h)));
        p.put(name + ".beta", m.zeros(new Shape(h)));
    }

    private static void putLinear(Map<String, NDArray> p, NDManager m, Random rnd, String name, int in, int out) {
        p.put(name + ".weight", m.create(normal(rnd, in * out, Math.sqrt(2.0 / (in + out))), new Shape(out, in)));
        p.put(name + ".bias", m.zeros(new Shape(out)));
    }

    /** The config that built (and trained) this model. */
    public SasRecConfig config() {
        return config;
    }

    /** The vocabulary's item ids in ascending order (a fresh copy). */
    public int[] itemIds() {
        return itemIds.clone();
    }

    /** The width of the items' side features, or 0 for a model of item ids only. */
    public int featureWidth() {
        return features == null ? 0 : (int) features.getShape().get(1);
    }

    /**
     * Each item's embedding as the model scores with it, by dense index ({@code (items + 1) x hiddenSize},
     * row-major, row 0 the padding): {@code item_embedding}, plus the mapped side features of a content-aware model.
     * Exporters use it in place of {@code item_embedding}.
     */
    public float[] itemTableValues() {
        checkOpen();
        try (NDManager scope = manager.newSubManager()) {
            Params p = new Params(scope, false);
            return table(p, false).toFloatArray();
        }
    }

    /** The number of items in the vocabulary (padding excluded). */
    public int numItems() {
        return itemIds.length;
    }

    /** The dense index of {@code itemId} (1-based), or 0 when it is not in the vocabulary. */
    public int indexOf(int itemId) {
        int i = Arrays.binarySearch(itemIds, itemId);
        return i >= 0 ? i + 1 : 0;
    }

    /** The item id at dense index {@code index} (1-based). */
    int itemAt(int index) {
        return itemIds[index - 1];
    }

    /** The number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size();
        }
        return n;
    }

    /** Free-form facts about how the model was produced (steps, loss, data sizes), saved with it. */
    public Map<String, Object> provenance() {
        return Collections.unmodifiableMap(provenance);
    }

    void putProvenance(String key, Object value) {
        provenance.put(key, value);
    }

    /**
     * Every parameter's values by name, in a stable order, copied to the Java heap (row-major; linear weights are
     * {@code (out, in)}), for exporters. In a content-aware model ({@link #featureWidth()} above 0)
     * {@code item_embedding} is only the id part of each item's embedding: a copy of the table the model scores with
     * is {@link #itemTableValues()}.
     */
    public Map<String, float[]> parameterValues() {
        checkOpen();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        return out;
    }

    /** The parameters by name, in a stable order; the arrays are live (training updates them in place). */
    Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    NDManager manager() {
        return manager;
    }

    /** Replaces every parameter's values with {@code weights} (same names and sizes), as fresh arrays. */
    void restore(Map<String, float[]> weights) {
        checkOpen();
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            NDArray old = params.get(e.getKey());
            if (old == null || old.size() != e.getValue().length) {
                throw new IllegalStateException("Cannot restore SASRec parameter '" + e.getKey() + "'.");
            }
            params.put(e.getKey(), manager.create(e.getValue(), old.getShape()));
            old.close();
        }
    }

    // ------------------------------------------------------------------ forward

    /**
     * Right-aligns {@code history}'s known items into a row of {@code maxLength} dense indices, left-padded with 0.
     */
    long[] encodeHistory(List<Integer> history) {
        int len = config.maxLength();
        long[] row = new long[len];
        int pos = len - 1;
        for (int i = history.size() - 1; i >= 0 && pos >= 0; i--) {
            int idx = indexOf(history.get(i));
            if (idx > 0) {
                row[pos--] = idx;
            }
        }
        return row;
    }

    /**
     * The hidden states of a batch of sequences.
     *
     * @param scope    the manager every intermediate array is attached to (closed by the caller)
     * @param seq      dense indices, shape {@code (B, maxLength)}, int64, 0 for padding, attached to {@code scope}
     * @param training whether dropout is active and parameters collect gradients
     * @return shape {@code (B, maxLength, hiddenSize)}
     */
    NDArray hidden(NDManager scope, NDArray seq, boolean training) {
        Params p = new Params(scope, training);
        int h = config.hiddenSize();
        long batch = seq.getShape().get(0);
        int len = config.maxLength();
        NDArray real = seq.neq(0);                                       // (B, L) bool
        NDArray realF = real.toType(DataType.FLOAT32, false).expandDims(-1); // (B, L, 1)
        NDArray x = embed(seq, p)
                .mul(scalar(scope, (float) Math.sqrt(h)))
                .add(p.get("position_embedding"));
        x = dropout(x, training).mul(realF);
        NDArray bias = attentionBias(scope, real, len);                   // (B, 1, L, L)
        for (int b = 0; b < config.blocks(); b++) {
            String pre = "block" + b + ".";
            NDArray y = layerNorm(x, p, pre + "ln1");
            x = x.add(dropout(attention(scope, y, bias, p, pre + "attn.", batch, training), training));
            y = layerNorm(x, p, pre + "ln2");
            NDArray f = Activation.relu(linear(y, p, pre + "ffn1"));
            f = linear(dropout(f, training), p, pre + "ffn2");
            x = x.add(dropout(f, training)).mul(realF);
        }
        return layerNorm(x, p, "final_ln");
    }

    /**
     * An additive attention mask: 0 where query {@code i} may attend key {@code j} ({@code j <= i} and key {@code j}
     * is an item, or {@code j == i}), a large negative number elsewhere.
     */
    private static NDArray attentionBias(NDManager scope, NDArray real, int len) {
        float[] causal = new float[len * len];
        float[] diag = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = 0; j <= i; j++) {
                causal[i * len + j] = 1f;
            }
            diag[i * len + i] = 1f;
        }
        NDArray causalM = scope.create(causal, new Shape(1, 1, len, len));
        NDArray diagM = scope.create(diag, new Shape(1, 1, len, len));
        NDArray keyReal = real.toType(DataType.FLOAT32, false).reshape(-1, 1, 1, len); // (B, 1, 1, L)
        NDArray allowed = keyReal.mul(causalM).maximum(diagM);                       // (B, 1, L, L)
        return allowed.sub(1f).mul(scalar(scope, -MASKED));
    }

    private NDArray attention(NDManager scope, NDArray y, NDArray bias, Params p, String pre, long batch,
                              boolean training) {
        int len = config.maxLength();
        int heads = config.heads();
        int d = config.hiddenSize() / heads;
        NDArray q = splitHeads(linear(y, p, pre + "q"), batch, len, heads, d);
        NDArray k = splitHeads(linear(y, p, pre + "k"), batch, len, heads, d);
        NDArray v = splitHeads(linear(y, p, pre + "v"), batch, len, heads, d);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scalar(scope, (float) (1 / Math.sqrt(d)))).add(bias);
        NDArray weights = dropout(scores.softmax(-1), training);
        NDArray out = weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, len, (long) heads * d);
        return linear(out, p, pre + "o");
    }

    /**
     * A scalar held by {@code scope}. Arithmetic with a {@code Number} ({@code x.mul(2f)}) must not be used on
     * arrays that take part in autograd: DJL's PyTorch engine wraps the number in a temporary array over a Java
     * direct buffer and closes it right after the forward op, while autograd keeps the scalar for the backward pass
     * and then reads freed memory (garbage gradients, random NaNs). A scalar that lives as long as the step's scope
     * is safe.
     */
    static NDArray scalar(NDManager scope, float value) {
        return scope.create(value);
    }

    private static NDArray splitHeads(NDArray x, long batch, int len, int heads, int d) {
        return x.reshape(batch, len, heads, d).transpose(0, 2, 1, 3);
    }

    private static NDArray linear(NDArray x, Params p, String name) {
        return Linear.linear(x, p.get(name + ".weight"), p.get(name + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, Params p, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), p.get(name + ".gamma"), p.get(name + ".beta"),
                LN_EPS).singletonOrThrow();
    }

    private NDArray dropout(NDArray x, boolean training) {
        if (!training || config.dropout() == 0f) {
            return x;
        }
        return Dropout.dropout(x, config.dropout(), true).singletonOrThrow();
    }

    /**
     * Embeddings of dense indices {@code ids} (any shape), attached to {@code ids}' manager: the id embedding, plus
     * the mapped side features of a content-aware model.
     */
    NDArray embed(NDArray ids, Params p) {
        NDArray e = Embedding.embedding(ids, p.get("item_embedding"), SparseFormat.DENSE).singletonOrThrow();
        if (features == null) {
            return e;
        }
        NDArray f = Embedding.embedding(ids, p.features(), SparseFormat.DENSE).singletonOrThrow();
        return e.add(Linear.linear(f, p.get(FEATURE_PROJECTION)).singletonOrThrow());
    }

    /**
     * The output embeddings of every item, {@code (items, H)} (or {@code (items + 1, H)} with the padding row when
     * {@code withoutPadding} is false): {@code item_embedding} plus, for a content-aware model, the mapped side
     * features. A computed table is attached to {@code p}'s scope; with neither slicing nor features it is the
     * parameter itself (or its view), which the caller must not close.
     */
    NDArray table(Params p, boolean withoutPadding) {
        NDArray e = p.get("item_embedding");
        if (withoutPadding) {
            e = e.get(new NDIndex("1:"));
            e.attach(p.scope); // sliced from a parameter, so it landed in the model's manager
        }
        if (features == null) {
            return e;
        }
        NDArray f = p.features();
        if (withoutPadding) {
            f = f.get(new NDIndex("1:"));
            f.attach(p.scope);
        }
        NDArray mapped = Linear.linear(f, p.get(FEATURE_PROJECTION)).singletonOrThrow();
        mapped.attach(p.scope);
        NDArray out = e.add(mapped);
        out.attach(p.scope);
        return out;
    }

    /**
     * The parameters as one forward pass sees them: the live arrays in training (they collect gradients), detached
     * views attached to the pass's scope otherwise (no autograd graph, safe from any thread).
     */
    final class Params {
        private final NDManager scope;
        private final boolean training;
        private final Map<String, NDArray> views = new java.util.HashMap<>();

        Params(NDManager scope, boolean training) {
            this.scope = scope;
            this.training = training;
        }

        /** The side features (never trained), as a detached view outside training. */
        NDArray features() {
            if (training) {
                return features;
            }
            return views.computeIfAbsent(ITEM_FEATURES, n -> {
                NDArray view = features.stopGradient();
                view.attach(scope);
                return view;
            });
        }

        NDArray get(String name) {
            NDArray live = params.get(name);
            if (live == null) {
                throw new IllegalStateException("SASRec has no parameter '" + name + "'.");
            }
            if (training) {
                return live;
            }
            return views.computeIfAbsent(name, n -> {
                NDArray view = live.stopGradient();
                view.attach(scope);
                return view;
            });
        }
    }

    // ------------------------------------------------------------------ scoring

    /**
     * Scores candidates after each history: the dot product of the hidden state at the history's last position with
     * each candidate's embedding. One forward pass per {@value #SCORE_CHUNK} requests.
     *
     * @param histories  item ids, oldest first, one list per request (truncated to the last {@code maxLength} known
     *                   items)
     * @param candidates item ids to score, one list per request
     * @return scores, {@code [request][candidate]}; unknown candidates get {@link #UNKNOWN_ITEM_SCORE}
     */
    public double[][] scoreLast(List<List<Integer>> histories, List<List<Integer>> candidates) {
        if (histories.size() != candidates.size()) {
            throw new IllegalArgumentException("SASRec scoring got " + histories.size() + " histories but "
                    + candidates.size() + " candidate lists.");
        }
        checkOpen();
        double[][] out = new double[histories.size()][];
        for (int from = 0; from < histories.size(); from += SCORE_CHUNK) {
            int to = Math.min(histories.size(), from + SCORE_CHUNK);
            scoreChunk(histories.subList(from, to), candidates.subList(from, to), out, from);
        }
        return out;
    }

    private void scoreChunk(List<List<Integer>> histories, List<List<Integer>> candidates, double[][] out,
                            int offset) {
        int n = histories.size();
        int len = config.maxLength();
        int width = 1;
        for (List<Integer> c : candidates) {
            width = Math.max(width, c.size());
        }
        long[] seq = new long[n * len];
        long[] cand = new long[n * width];
        for (int r = 0; r < n; r++) {
            System.arraycopy(encodeHistory(histories.get(r)), 0, seq, r * len, len);
            List<Integer> c = candidates.get(r);
            for (int j = 0; j < c.size(); j++) {
                cand[r * width + j] = indexOf(c.get(j));
            }
        }
        float[] scores;
        try (NDManager scope = manager.newSubManager()) {
            Params p = new Params(scope, false);
            NDArray seqArr = scope.create(seq, new Shape(n, len));
            NDArray last = hidden(scope, seqArr, false).get(":, -1, :").expandDims(-1);  // (N, H, 1)
            NDArray candArr = scope.create(cand, new Shape(n, width));
            NDArray emb = embed(candArr, p);                                               // (N, C, H)
            scores = emb.matMul(last).squeeze(-1).toFloatArray();                          // (N, C)
        }
        for (int r = 0; r < n; r++) {
            List<Integer> c = candidates.get(r);
            double[] row = new double[c.size()];
            for (int j = 0; j < c.size(); j++) {
                row[j] = cand[r * width + j] == 0 ? UNKNOWN_ITEM_SCORE : scores[r * width + j];
            }
            out[offset + r] = row;
        }
    }

    // ------------------------------------------------------------------ persistence

    /**
     * Saves weights, config, vocabulary and provenance to {@code dir} (created if needed): {@code model.params}
     * first (the weights by name, in {@link ParameterFiles}' format, as every policy checkpoint holds them), then
     * {@code checkpoint.json}, each written atomically, then the SHA-256 of both in {@link CheckpointDigest#MANIFEST},
     * which {@link #load} verifies. A manifest left by an earlier save into the same directory is deleted first, so
     * a save killed half-way never leaves new files under old checksums; so are the weights of a version-1
     * checkpoint ({@code weights.ndlist}).
     */
    public void save(Path dir) {
        checkOpen();
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(CheckpointDigest.MANIFEST));
            Files.deleteIfExists(dir.resolve(WEIGHTS_FILE_V1));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot replace the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            values.put(e.getKey(), e.getValue().toFloatArray());
        }
        if (features != null) {
            values.put(ITEM_FEATURES, features.toFloatArray());
        }
        ParameterFiles.write(dir.resolve(WEIGHTS_FILE), values);
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("format", FORMAT);
        root.set("config", Json.mapper().valueToTree(config));
        root.set("parameters", Json.mapper().valueToTree(new ArrayList<>(params.keySet())));
        root.set("items", Json.mapper().valueToTree(itemIds));
        if (features != null) {
            root.put("item_feature_width", featureWidth());
        }
        root.set("provenance", Json.mapper().valueToTree(provenance));
        AtomicFiles.writeString(dir.resolve(CHECKPOINT_FILE), Json.pretty(root));
        CheckpointDigest.seal(dir);
    }

    /**
     * Loads a model saved by {@link #save}, or a version-1 checkpoint (weights in {@code weights.ndlist}).
     *
     * @throws UncheckedIOException       when the directory holds no whole checkpoint
     * @throws CorruptCheckpointException when a file differs from the checksums recorded at save time (a directory
     *                                    saved before checksums existed has none and is read as it is)
     * @throws IllegalStateException      when the weights do not match the recorded config, naming the parameter
     *                                    with its expected and found size or shape
     */
    public static SasRecModel load(Path dir) {
        Path meta = dir.resolve(CHECKPOINT_FILE);
        if (!Files.isRegularFile(meta)) {
            throw new UncheckedIOException(new IOException("No SASRec checkpoint in " + dir + ": expected "
                    + CHECKPOINT_FILE + " and " + WEIGHTS_FILE + "."));
        }
        CheckpointDigest.verify(dir);
        JsonNode root = Json.read(meta, JsonNode.class);
        String format = root.path("format").asText();
        if (!FORMAT.equals(format) && !FORMAT_V1.equals(format)) {
            throw new IllegalStateException(meta + " has format '" + format + "', expected '" + FORMAT + "' (or '"
                    + FORMAT_V1 + "').");
        }
        Path weights = dir.resolve(FORMAT.equals(format) ? WEIGHTS_FILE : WEIGHTS_FILE_V1);
        if (!Files.isRegularFile(weights)) {
            throw new UncheckedIOException(new IOException("No SASRec checkpoint in " + dir + ": " + meta
                    + " has no " + weights.getFileName() + " beside it."));
        }
        SasRecConfig config = Json.mapper().convertValue(root.get("config"), SasRecConfig.class);
        int[] ids = Json.mapper().convertValue(root.get("items"), int[].class);
        List<String> names = Arrays.asList(Json.mapper().convertValue(root.get("parameters"), String[].class));
        int featureWidth = root.path("item_feature_width").asInt(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = root.has("provenance")
                ? Json.mapper().convertValue(root.get("provenance"), Map.class) : Map.of();
        NDManager manager = Devices.newManager();
        try {
            if (FORMAT.equals(format)) {
                Map<String, float[]> values = ParameterFiles.read(weights);
                NDArray features = null;
                float[] table = values.remove(ITEM_FEATURES);
                if (featureWidth > 0) {
                    if (table == null || table.length != (long) (ids.length + 1) * featureWidth) {
                        throw new IllegalStateException("SASRec checkpoint " + dir + ": " + meta.getFileName()
                                + " records item features of width " + featureWidth + " but "
                                + weights.getFileName() + " holds " + (table == null ? "none" : table.length
                                + " values, expected " + (ids.length + 1) * featureWidth) + ".");
                    }
                    features = manager.create(table, new Shape(ids.length + 1, featureWidth));
                } else if (table != null) {
                    throw new IllegalStateException("SASRec checkpoint " + dir + ": " + weights.getFileName()
                            + " holds item features that " + meta.getFileName() + " does not record.");
                }
                // readParameters creates every array with the shape a fresh model of this config has.
                return new SasRecModel(config, ids, manager,
                        readParameters(dir, weights, values, config, ids, featureWidth, manager), features,
                        provenance);
            }
            SasRecModel model = new SasRecModel(config, ids, manager, readNdList(meta, weights, names, manager),
                    null, provenance);
            model.verifyShapes(dir);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Map<String, NDArray> readParameters(Path dir, Path weights, Map<String, float[]> values,
                                                       SasRecConfig config, int[] ids, int featureWidth,
                                                       NDManager manager) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        Map<Integer, float[]> shapeOnly = featureWidth == 0 ? Map.of() : Map.of(ids[0], new float[featureWidth]);
        try (SasRecModel reference = create(config, Arrays.stream(ids).boxed().toList(), shapeOnly)) {
            if (!reference.params.keySet().equals(values.keySet())) {
                throw new IllegalStateException("SASRec checkpoint " + dir + ": " + weights.getFileName()
                        + " has parameters " + values.keySet() + ", expected " + reference.params.keySet() + ".");
            }
            for (Map.Entry<String, NDArray> e : reference.params.entrySet()) {
                Shape shape = e.getValue().getShape();
                float[] v = values.get(e.getKey());
                if (v.length != shape.size()) {
                    throw new IllegalStateException("SASRec checkpoint " + dir + ": parameter " + e.getKey()
                            + " has " + v.length + " values, expected " + shape.size() + " (shape " + shape + ").");
                }
                p.put(e.getKey(), manager.create(v, shape));
            }
        }
        return p;
    }

    private static Map<String, NDArray> readNdList(Path meta, Path weights, List<String> names, NDManager manager) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(weights);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + weights + ": " + e.getMessage(), e);
        }
        NDList list = NDList.decode(manager, bytes);
        if (list.size() != names.size()) {
            throw new IllegalStateException(weights + " holds " + list.size() + " arrays but " + meta + " names "
                    + names.size() + ".");
        }
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            p.put(names.get(i), list.get(i));
        }
        return p;
    }

    private void verifyShapes(Path dir) {
        try (SasRecModel reference = create(config, Arrays.stream(itemIds).boxed().toList())) {
            Map<String, NDArray> expected = reference.params;
            if (!expected.keySet().equals(params.keySet())) {
                throw new IllegalStateException("SASRec checkpoint " + dir + " has parameters " + params.keySet()
                        + ", expected " + expected.keySet() + ".");
            }
            for (Map.Entry<String, NDArray> e : expected.entrySet()) {
                Shape got = params.get(e.getKey()).getShape();
                if (!got.equals(e.getValue().getShape())) {
                    throw new IllegalStateException("SASRec checkpoint " + dir + ": parameter " + e.getKey()
                            + " has shape " + got + ", expected " + e.getValue().getShape() + ".");
                }
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("This SASRec model is closed.");
        }
    }

    /** Frees the native memory of the weights (and of any optimizer state attached to them). */
    @Override
    public void close() {
        closed = true;
        manager.close();
    }
}
