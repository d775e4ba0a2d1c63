package dev.mllmrec.core.lm.hf;

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
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.Devices;
import dev.mllmrec.core.lm.Dropout;
import dev.mllmrec.core.lm.GradMode;
import dev.mllmrec.core.lm.KvCache;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.Scalars;
import dev.mllmrec.core.lm.SeededRandom;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pretrained Hugging Face decoder (Llama, Qwen2, Qwen3; see {@link HfConfig}) as a {@link PolicyModel} on DJL:
 * RMSNorm, grouped-query attention, SwiGLU MLP, rotary positions with the config's theta (Hugging Face's
 * half-split layout), Qwen2's q/k/v biases, Qwen3's per-head q/k RMSNorm, tied or untied output layer. Weights
 * keep their Hugging Face names and are held in float32 whatever their stored dtype.
 *
 * <p>The forward pass follows Hugging Face's eager implementation operation by operation (inverse frequencies,
 * angles, {@code cos}/{@code sin} in float32 by libtorch, scores scaled after the product), so logits agree with
 * it to float rounding. Key/value caches hold the {@code num_key_value_heads} heads only: a query group attends to
 * its shared keys through a reshape, never a copy.
 *
 * <p>Optional {@linkplain #enableLora LoRA adapters} make the base frozen and the adapters the only trainable
 * parameters; {@link #saveAdapters} / {@link #loadAdapters} store them on their own (PEFT's file names) with the
 * base's {@link #fingerprint()}, and {@link #mergeAdapters()} folds them into the weights for serving.
 *
 * <p>Owns native memory: close it. Inference may run on several threads at once; training, merging and loading
 * adapters must not overlap with anything else.
 */
public final class HfDecoder implements TrainablePolicy {

    /** The file of adapter weights written by {@link #saveAdapters}. */
    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    /** The file of the adapter config written by {@link #saveAdapters}. */
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    /**
     * The file that {@link #saveTrainable} writes beside the adapters: the base model's folder, fingerprint and
     * config, so that a checkpoint names the base it needs.
     */
    public static final String BASE_FILE = "base_model.json";
    /** The prefix PEFT puts before every adapter tensor name. */
    static final String PEFT_PREFIX = "base_model.model.";

    private final HfConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> base = new LinkedHashMap<>();
    private final Layer[] layers;
    private final NDArray embed;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final NDArray invFreq;
    private final float scaling;
    private final String fingerprint;
    private final String source;
    /** The folder the base was loaded from, or {@code null} for weights made in memory. */
    private Path folder;

    private LoraConfig lora;
    private final Map<String, Adapter> adapters = new LinkedHashMap<>();
    private final Map<String, NDArray> adapterParams = new LinkedHashMap<>();
    private boolean merged;
    private boolean baseTrainable;

    /** One decoder layer's weights ({@code null} where the architecture has none). */
    private record Layer(NDArray inNorm, Proj q, Proj k, Proj v, Proj o, NDArray qNorm, NDArray kNorm,
                         NDArray postNorm, Proj gate, Proj up, Proj down) {
    }

    /** A linear projection: its module path, weight {@code (out, in)} and bias (or {@code null}). */
    private record Proj(String module, NDArray weight, NDArray bias) {
    }

    /** A LoRA pair and its scale. */
    private record Adapter(NDArray a, NDArray b, float scale) {
    }

    /** A source of tensors by name: a file set or values in memory. */
    private interface TensorSource {
        /** The tensor's shape, or {@code null} when absent. */
        long[] shape(String name);

        float[] values(String name);

        String describe();
    }

    private HfDecoder(HfConfig config, TensorSource src) {
        this.config = config;
        this.source = src.describe();
        this.manager = Devices.newManager();
        MessageDigest digest = sha256();
        digest.update(config.toString().getBytes(StandardCharsets.UTF_8));
        try {
            int d = config.hiddenSize();
            int dh = config.headDim();
            int qOut = config.heads() * dh;
            int kvOut = config.kvHeads() * dh;
            int inter = config.intermediateSize();
            this.embed = load(src, digest, "model.embed_tokens.weight", config.vocabSize(), d);
            this.layers = new Layer[config.layers()];
            for (int l = 0; l < config.layers(); l++) {
                String p = "model.layers." + l + ".";
                NDArray inNorm = load(src, digest, p + "input_layernorm.weight", d);
                Proj q = proj(src, digest, p + "self_attn.q_proj", qOut, d, config.qkvBias());
                Proj k = proj(src, digest, p + "self_attn.k_proj", kvOut, d, config.qkvBias());
                Proj v = proj(src, digest, p + "self_attn.v_proj", kvOut, d, config.qkvBias());
                Proj o = proj(src, digest, p + "self_attn.o_proj", d, qOut, config.outputBias());
                NDArray qNorm = config.qkNorm() ? load(src, digest, p + "self_attn.q_norm.weight", dh) : null;
                NDArray kNorm = config.qkNorm() ? load(src, digest, p + "self_attn.k_norm.weight", dh) : null;
                NDArray postNorm = load(src, digest, p + "post_attention_layernorm.weight", d);
                Proj gate = proj(src, digest, p + "mlp.gate_proj", inter, d, config.mlpBias());
                Proj up = proj(src, digest, p + "mlp.up_proj", inter, d, config.mlpBias());
                Proj down = proj(src, digest, p + "mlp.down_proj", d, inter, config.mlpBias());
                layers[l] = new Layer(inNorm, q, k, v, o, qNorm, kNorm, postNorm, gate, up, down);
            }
            this.finalNorm = load(src, digest, "model.norm.weight", d);
            this.lmHead = config.tiedEmbeddings() ? embed : load(src, digest, "lm_head.weight", config.vocabSize(), d);
            // Hugging Face's inverse frequencies, in float32 by libtorch: 1 / theta^(arange(0, dh, 2) / dh).
            NDArray exponents = manager.arange(0, dh, 2, DataType.INT64).toType(DataType.FLOAT32, false)
                    .div(manager.create((float) dh));
            this.invFreq = manager.ones(new Shape(dh / 2)).div(manager.create((float) config.ropeTheta()).pow(exponents));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.scaling = (float) Math.pow(config.headDim(), -0.5);
        this.fingerprint = HexFormat.of().formatHex(digest.digest());
    }

    private NDArray load(TensorSource src, MessageDigest digest, String name, long... dims) {
        long[] found = src.shape(name);
        if (found == null) {
            throw new IllegalArgumentException("Tensor '" + name + "' is missing from " + src.describe()
                    + " (expected shape " + Arrays.toString(dims) + " for " + config + ").");
        }
        if (!Arrays.equals(found, dims)) {
            throw new IllegalArgumentException("Tensor '" + name + "' in " + src.describe() + " has shape "
                    + Arrays.toString(found) + ", expected " + Arrays.toString(dims) + " for " + config + ".");
        }
        float[] values = src.values(name);
        digestSample(digest, name, dims, values);
        // DJL keeps the direct buffer a created array was copied from for the array's lifetime, and direct memory
        // is capped at the heap size by default: a 0.6B model's float32 weights (2.4 GB) would not fit under
        // -Xmx2g. A clone lives in libtorch's own memory; the buffer goes once the temporary is closed.
        NDArray staged = manager.create(values, new Shape(dims));
        NDArray a = staged.duplicate();
        staged.close();
        base.put(name, a);
        return a;
    }

    private Proj proj(TensorSource src, MessageDigest digest, String module, int out, int in, boolean bias) {
        NDArray w = load(src, digest, module + ".weight", out, in);
        NDArray b = bias ? load(src, digest, module + ".bias", out) : null;
        return new Proj(module, w, b);
    }

    /**
     * Feeds the fingerprint: the name, the shape and a sample of the values (the first and last 256 and 1,024
     * evenly spaced ones), so fingerprinting a multi-gigabyte model costs nothing while two different checkpoints
     * of one architecture still differ.
     */
    private static void digestSample(MessageDigest digest, String name, long[] dims, float[] values) {
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer buf = ByteBuffer.allocate(8 * dims.length + 4 * (512 + 1024)).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : dims) {
            buf.putLong(d);
        }
        int n = values.length;
        for (int i = 0; i < Math.min(256, n); i++) {
            buf.putFloat(values[i]);
        }
        for (int i = Math.max(0, n - 256); i < n; i++) {
            buf.putFloat(values[i]);
        }
        for (int i = 0; i < 1024 && n > 0; i++) {
            buf.putFloat(values[(int) ((long) i * n / 1024)]);
        }
        digest.update(buf.array(), 0, buf.position());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Loads a Hugging Face model folder: {@code config.json} and {@code model.safetensors} (or the shards of
     * {@code model.safetensors.index.json}); F32, BF16 and F16 weights become float32.
     *
     * @throws IllegalArgumentException for an unsupported architecture, a missing or mis-shaped tensor, or a
     *                                  truncated file, naming it
     */
    public static HfDecoder load(Path dir) {
        HfConfig config = HfConfig.read(dir);
        try (SafeTensors st = SafeTensors.openFolder(dir)) {
            HfDecoder model = new HfDecoder(config, new TensorSource() {
                @Override
                public long[] shape(String name) {
                    SafeTensors.Entry e = st.entry(name);
                    return e == null ? null : e.shape();
                }

                @Override
                public float[] values(String name) {
                    return st.floats(name);
                }

                @Override
                public String describe() {
                    return dir.toString();
                }
            });
            model.folder = dir.toAbsolutePath().normalize();
            return model;
        }
    }

    /** A model from weights in memory, by Hugging Face name (row-major float32, shapes as in a checkpoint). */
    public static HfDecoder create(HfConfig config, Map<String, float[]> values) {
        Map<String, long[]> shapes = expectedShapes(config);
        return new HfDecoder(config, new TensorSource() {
            @Override
            public long[] shape(String name) {
                float[] v = values.get(name);
                long[] s = shapes.get(name);
                if (v == null || s == null) {
                    return null;
                }
                return v.length == Arrays.stream(s).reduce(1, (a, b) -> a * b) ? s : new long[] {v.length};
            }

            @Override
            public float[] values(String name) {
                return values.get(name);
            }

            @Override
            public String describe() {
                return "the weights in memory";
            }
        });
    }

    /**
     * A model with {@link #randomWeights} drawn tensor by tensor straight into native memory, so a
     * billion-parameter shape never holds its weights twice (benchmarks). Equal to
     * {@code create(config, randomWeights(config, seed, std))}.
     */
    public static HfDecoder random(HfConfig config, long seed, double std) {
        Map<String, long[]> shapes = expectedShapes(config);
        SeededRandom rng = new SeededRandom(seed);
        return new HfDecoder(config, new TensorSource() {
            @Override
            public long[] shape(String name) {
                return shapes.get(name);
            }

            @Override
            public float[] values(String name) {
                return randomTensor(name, shapes.get(name), rng, std);
            }

            @Override
            public String describe() {
                return "random weights (seed " + seed + ")";
            }
        });
    }

    private static float[] randomTensor(String name, long[] shape, SeededRandom rng, double std) {
        float[] v = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
        if (name.endsWith("norm.weight")) {
            Arrays.fill(v, 1f);
        } else {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextGaussian() * std);
            }
        }
        return v;
    }

    /** Every tensor a checkpoint of {@code config} must hold, by name, with its shape, in load order. */
    public static Map<String, long[]> expectedShapes(HfConfig config) {
        Map<String, long[]> out = new LinkedHashMap<>();
        long d = config.hiddenSize();
        long dh = config.headDim();
        long qOut = (long) config.heads() * dh;
        long kvOut = (long) config.kvHeads() * dh;
        long inter = config.intermediateSize();
        out.put("model.embed_tokens.weight", new long[] {config.vocabSize(), d});
        for (int l = 0; l < config.layers(); l++) {
            String p = "model.layers." + l + ".";
            out.put(p + "input_layernorm.weight", new long[] {d});
            putProj(out, p + "self_attn.q_proj", qOut, d, config.qkvBias());
            putProj(out, p + "self_attn.k_proj", kvOut, d, config.qkvBias());
            putProj(out, p + "self_attn.v_proj", kvOut, d, config.qkvBias());
            putProj(out, p + "self_attn.o_proj", d, qOut, config.outputBias());
            if (config.qkNorm()) {
                out.put(p + "self_attn.q_norm.weight", new long[] {dh});
                out.put(p + "self_attn.k_norm.weight", new long[] {dh});
            }
            out.put(p + "post_attention_layernorm.weight", new long[] {d});
            putProj(out, p + "mlp.gate_proj", inter, d, config.mlpBias());
            putProj(out, p + "mlp.up_proj", inter, d, config.mlpBias());
            putProj(out, p + "mlp.down_proj", d, inter, config.mlpBias());
        }
        out.put("model.norm.weight", new long[] {d});
        if (!config.tiedEmbeddings()) {
            out.put("lm_head.weight", new long[] {config.vocabSize(), d});
        }
        return out;
    }

    private static void putProj(Map<String, long[]> out, String module, long o, long i, boolean bias) {
        out.put(module + ".weight", new long[] {o, i});
        if (bias) {
            out.put(module + ".bias", new long[] {o});
        }
    }

    /**
     * Random weights for {@code config} (tests, benchmarks): normal(0, std) matrices and biases, unit norms. Drawn
     * in {@link #expectedShapes} order from one {@link SeededRandom}.
     */
    public static Map<String, float[]> randomWeights(HfConfig config, long seed, double std) {
        SeededRandom rng = new SeededRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            out.put(e.getKey(), randomTensor(e.getKey(), e.getValue(), rng, std));
        }
        return out;
    }

    /** Writes a Hugging Face folder ({@code config.json}, {@code model.safetensors}) holding {@code values}. */
    public static void writeFolder(Path dir, HfConfig config, Map<String, float[]> values, String dtype) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            tensors.put(e.getKey(), new SafeTensors.Tensor(dtype, e.getValue(), values.get(e.getKey())));
        }
        SafeTensors.write(dir.resolve(SafeTensors.SINGLE_FILE), tensors, Map.of("format", "pt"));
        Json.writePretty(dir.resolve(HfConfig.FILE), config.toJson());
    }

    /** The config. */
    public HfConfig config() {
        return config;
    }

    /**
     * The base weights' fingerprint: SHA-256 over the config and, per tensor, its name, shape and a sample of its
     * values. Adapters record it and refuse another base.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The number of base scalars. */
    public long baseParameterCount() {
        long n = 0;
        for (NDArray a : base.values()) {
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
        return config.maxPositions();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public KvCache newCache(NDManager parent, int batchSize) {
        return new KvCache(parent, config.layers(), batchSize);
    }

    /**
     * The trainable parameters: the LoRA adapters ({@code <module>.lora_A.weight}, {@code <module>.lora_B.weight})
     * when {@linkplain #enableLora enabled}; otherwise every base weight (full fine-tuning), which from this call
     * on records gradients.
     */
    @Override
    public Map<String, NDArray> parameters() {
        if (lora != null) {
            return Collections.unmodifiableMap(adapterParams);
        }
        if (!baseTrainable) {
            for (NDArray a : base.values()) {
                a.setRequiresGradient(true);
            }
            baseTrainable = true;
        }
        return Collections.unmodifiableMap(base);
    }

    /** The base weights by Hugging Face name (read-only view; frozen while adapters are attached). */
    public Map<String, NDArray> baseWeights() {
        return Collections.unmodifiableMap(base);
    }

    @Override
    public NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache) {
        return hidden(tokens, positions, keyMask, cache, null);
    }

    /**
     * {@link #hidden(NDArray, NDArray, NDArray, KvCache)} for training: {@code loraDropout} (may be {@code null})
     * is applied to every adapter's input, as PEFT does; the base path never drops.
     */
    public NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache, Dropout loraDropout) {
        return hidden(tokens, positions, keyMask, cache, loraDropout, merged ? Map.of() : adapters);
    }

    /** The forward pass with the adapters {@code using} (by module) on the shared base. */
    private NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache, Dropout loraDropout,
                           Map<String, Adapter> using) {
        Shape shape = tokens.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("Tokens must be (batch, time), got " + shape + ".");
        }
        int batch = (int) shape.get(0);
        int time = (int) shape.get(1);
        int past = cache == null ? 0 : cache.length();
        if (past + time > config.maxPositions()) {
            throw new IllegalArgumentException("The sequence of " + (past + time) + " tokens exceeds the model's "
                    + "max_position_embeddings " + config.maxPositions() + ".");
        }
        NDManager m = tokens.getManager();
        NDArray ids = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int group = config.groupSize();
        int dh = config.headDim();

        NDArray x = local(Embedding.embedding(ids, embed, SparseFormat.DENSE).singletonOrThrow(), m);
        NDArray pos = positions == null
                ? m.arange(past, past + time, 1, DataType.INT64).reshape(1, time)
                : positions;
        // (B or 1, T, dh/2) angles in float32, as Hugging Face's inv_freq @ position_ids.
        NDArray angles = local(pos.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq), m);
        NDArray cosHalf = angles.cos();
        NDArray sinHalf = angles.sin();
        NDArray cos = NDArrays.concat(new NDList(cosHalf, cosHalf), -1).expandDims(1); // (B, 1, T, dh)
        NDArray sin = NDArrays.concat(new NDList(sinHalf.neg(), sinHalf), -1).expandDims(1);
        NDIndex firstHalf = new NDIndex("..., :" + dh / 2);
        NDIndex secondHalf = new NDIndex("..., " + dh / 2 + ":");

        NDArray newKeyBias = keyMask == null ? null
                : Scalars.mul(keyMask.toType(DataType.FLOAT32, false).neg().add(1f), KvCache.MASKED);
        NDArray bias = attentionBias(m, batch, time, past, cache, newKeyBias);
        float eps = (float) config.rmsNormEps();

        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            NDArray h = rmsNorm(x, layer.inNorm, eps);
            NDArray q = project(h, layer.q, loraDropout, using).reshape(batch, time, heads, dh);
            NDArray k = project(h, layer.k, loraDropout, using).reshape(batch, time, kvHeads, dh);
            NDArray v = project(h, layer.v, loraDropout, using).reshape(batch, time, kvHeads, dh);
            if (layer.qNorm != null) {
                q = rmsNorm(q, layer.qNorm, eps);
                k = rmsNorm(k, layer.kNorm, eps);
            }
            q = rotate(q.transpose(0, 2, 1, 3), cos, sin, firstHalf, secondHalf); // (B, H, T, dh)
            k = rotate(k.transpose(0, 2, 1, 3), cos, sin, firstHalf, secondHalf); // (B, KV, T, dh)
            v = v.transpose(0, 2, 1, 3);
            if (cache != null) {
                NDList kv = cache.append(l, k, v);
                k = kv.get(0);
                v = kv.get(1);
            }
            int total = (int) k.getShape().get(2);
            // A group of query heads shares one key/value head: fold the group into the time axis.
            NDArray grouped = q.reshape(batch, kvHeads, (long) group * time, dh);
            NDArray scores = grouped.matMul(local(k.transpose(0, 1, 3, 2), m)).reshape(batch, heads, time, total);
            scores = Scalars.mul(scores, scaling);
            if (bias != null) {
                scores = scores.add(bias);
            }
            NDArray probs = scores.softmax(-1).reshape(batch, kvHeads, (long) group * time, total);
            NDArray attended = local(probs.matMul(v), m).reshape(batch, heads, time, dh)
                    .transpose(0, 2, 1, 3).reshape(batch, time, (long) heads * dh);
            x = x.add(project(attended, layer.o, loraDropout, using));
            NDArray h2 = rmsNorm(x, layer.postNorm, eps);
            NDArray gate = project(h2, layer.gate, loraDropout, using);
            NDArray act = gate.mul(Activation.sigmoid(gate)).mul(project(h2, layer.up, loraDropout, using));
            x = x.add(project(act, layer.down, loraDropout, using));
        }
        if (cache != null) {
            cache.commit(newKeyBias, time);
        }
        return rmsNorm(x, finalNorm, eps);
    }

    /** Hugging Face's RMSNorm: {@code w * x / sqrt(mean(x^2) + eps)} over the last axis. */
    private static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
        NDArray rms = x.mul(x).mean(new int[] {-1}, true).add(eps).sqrt();
        return x.div(rms).mul(weight);
    }

    /** {@code x cos + rotate_half(x) sin}, the sign of rotate_half folded into {@code sin}. */
    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin, NDIndex firstHalf, NDIndex secondHalf) {
        NDArray swapped = NDArrays.concat(new NDList(x.get(secondHalf), x.get(firstHalf)), -1);
        return x.mul(cos).add(swapped.mul(sin));
    }

    private static NDArray project(NDArray x, Proj p, Dropout dropout, Map<String, Adapter> using) {
        NDArray y = p.bias == null ? Linear.linear(x, p.weight).singletonOrThrow()
                : Linear.linear(x, p.weight, p.bias).singletonOrThrow();
        Adapter a = using.get(p.module);
        if (a != null) {
            NDArray in = dropout == null ? x : dropout.apply(x);
            NDArray low = Linear.linear(in, a.a).singletonOrThrow();
            y = y.add(Scalars.mul(Linear.linear(low, a.b).singletonOrThrow(), a.scale));
        }
        return y;
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

    private static NDArray local(NDArray a, NDManager m) {
        if (a.getManager() != m) {
            a.attach(m);
        }
        return a;
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, lmHead).singletonOrThrow();
    }

    /** Logits {@code (batch, time, vocab)} of a whole batch, without a cache. */
    public NDArray forward(NDArray tokens) {
        return logits(hidden(tokens, null, null, null));
    }

    @Override
    public NDArray logitsOf(NDArray hidden, NDArray tokens) {
        Shape ts = tokens.getShape();
        NDArray ids = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        NDArray rows = local(Embedding.embedding(ids, lmHead, SparseFormat.DENSE).singletonOrThrow(),
                hidden.getManager()); // (n, m, d)
        return rows.matMul(hidden.reshape(ts.get(0), config.hiddenSize(), 1)).reshape(ts.get(0), ts.get(1));
    }

    @Override
    public NDArray logitsOver(NDArray hidden, NDArray tokens) {
        NDArray ids = tokens.getDataType() == DataType.INT64 ? tokens : tokens.toType(DataType.INT64, false);
        NDArray rows = local(Embedding.embedding(ids, lmHead, SparseFormat.DENSE).singletonOrThrow(),
                hidden.getManager()); // (m, d)
        return hidden.matMul(rows.transpose());
    }

    // ------------------------------------------------------------------------------------------ training

    /** The number of trainable scalars: the adapters' with LoRA attached, otherwise every base weight's. */
    @Override
    public long parameterCount() {
        long n = 0;
        for (NDArray a : (lora != null ? adapterParams : base).values()) {
            n += a.size();
        }
        return n;
    }

    /**
     * The config, the base's fingerprint and the adapters' shape (rank, alpha, targets): adapters load into a model
     * with an equal signature.
     */
    @Override
    public String signature() {
        return "HfDecoder[" + config + ", base " + fingerprint + (lora == null ? ", no adapters"
                : ", LoRA r=" + lora.rank() + " alpha=" + lora.alpha() + " " + lora.targetNames()) + "]";
    }

    /** The folder the base was loaded from, or {@code null} for weights made in memory. */
    public Path folder() {
        return folder;
    }

    /**
     * Writes the adapters ({@link #saveAdapters}) and {@value #BASE_FILE} (the base's folder, fingerprint and
     * config) into {@code dir}.
     *
     * @throws IllegalStateException without adapters: only LoRA training is checkpointed (full fine-tuning of a
     *                               pretrained decoder is not supported)
     */
    @Override
    public void saveTrainable(Path dir) {
        if (lora == null) {
            throw new IllegalStateException("Only LoRA adapters of a pretrained decoder are checkpointed: call "
                    + "enableLora before training " + this + ".");
        }
        saveAdapters(dir);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("path", folder == null ? null : folder.toString());
        b.put("fingerprint", fingerprint);
        b.put("config", config.toJson());
        Json.writePretty(dir.resolve(BASE_FILE), b);
    }

    /**
     * Overwrites the adapters' values with those {@link #saveTrainable} (or {@link #saveAdapters}) wrote into
     * {@code dir}; without adapters attached yet, attaches them ({@link #loadAdapters}).
     *
     * @throws IllegalArgumentException when they were trained on another base or have another rank, alpha or
     *                                  targets
     */
    @Override
    public void loadTrainable(Path dir) {
        if (lora == null) {
            loadAdapters(dir);
            return;
        }
        LoraConfig saved = readAdapterConfig(dir);
        if (saved.rank() != lora.rank() || saved.alpha() != lora.alpha()
                || !saved.targets().equals(lora.targets())) {
            throw new IllegalArgumentException("The adapters in " + dir + " (r=" + saved.rank() + ", alpha="
                    + saved.alpha() + ", " + saved.targetNames() + ") do not fit the attached ones (r=" + lora.rank()
                    + ", alpha=" + lora.alpha() + ", " + lora.targetNames() + ").");
        }
        if (merged) {
            throw new IllegalStateException("Unmerge the adapters before loading new values into them.");
        }
        setAdapterValues(dir);
    }

    /**
     * The base folder recorded in a checkpoint's {@value #BASE_FILE} by {@link #saveTrainable}, or {@code null}
     * when the checkpoint has none (or the base was made in memory).
     */
    public static Path baseFolderOf(Path checkpoint) {
        Path f = checkpoint.resolve(BASE_FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode path = Json.mapper().readTree(f.toFile()).path("path");
            return path.isTextual() ? Path.of(path.asText()) : null;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Cannot parse " + f + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------- LoRA

    /** The attached adapters' config, or {@code null}. */
    public LoraConfig loraConfig() {
        return lora;
    }

    /** Whether the adapters are currently folded into the base weights. */
    public boolean isMerged() {
        return merged;
    }

    /**
     * Attaches fresh adapters to every layer's {@code config.targets()} and freezes the base: from now on
     * {@link #parameters()} holds the adapters only. Fresh adapters ({@code B = 0}) leave the outputs unchanged.
     *
     * @throws IllegalStateException when adapters are already attached
     */
    @SuppressWarnings("try")
    public void enableLora(LoraConfig config) {
        if (lora != null) {
            throw new IllegalStateException("LoRA adapters are already attached (" + lora + ").");
        }
        SeededRandom rng = new SeededRandom(config.seed());
        try (GradMode ignored = GradMode.disabled()) {
            for (NDArray a : base.values()) {
                if (baseTrainable) {
                    a.setRequiresGradient(false);
                }
            }
            baseTrainable = false;
            float scale = (float) config.scale();
            for (Layer layer : layers) {
                for (Proj p : projections(layer)) {
                    if (!config.targets().contains(targetOf(p.module))) {
                        continue;
                    }
                    int out = (int) p.weight.getShape().get(0);
                    int in = (int) p.weight.getShape().get(1);
                    float bound = (float) (1.0 / Math.sqrt(in));
                    float[] av = new float[config.rank() * in];
                    for (int i = 0; i < av.length; i++) {
                        av[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                    }
                    NDArray a = manager.create(av, new Shape(config.rank(), in));
                    NDArray b = manager.zeros(new Shape(out, config.rank()), DataType.FLOAT32);
                    a.setRequiresGradient(true);
                    b.setRequiresGradient(true);
                    adapters.put(p.module, new Adapter(a, b, scale));
                    adapterParams.put(p.module + ".lora_A.weight", a);
                    adapterParams.put(p.module + ".lora_B.weight", b);
                }
            }
        }
        this.lora = config;
    }

    private static Proj[] projections(Layer layer) {
        return new Proj[] {layer.q, layer.k, layer.v, layer.o, layer.gate, layer.up, layer.down};
    }

    private static LoraConfig.Target targetOf(String module) {
        for (LoraConfig.Target t : LoraConfig.Target.values()) {
            if (module.endsWith("." + t.module())) {
                return t;
            }
        }
        throw new IllegalStateException("No LoRA target for " + module);
    }

    /** Folds {@code scale * B A} into every adapted weight, so serving pays nothing for the adapters. */
    public void mergeAdapters() {
        foldAdapters(true);
    }

    /** Takes the folded adapters back out of the weights (exact up to float rounding). */
    public void unmergeAdapters() {
        foldAdapters(false);
    }

    @SuppressWarnings("try")
    private void foldAdapters(boolean merge) {
        if (lora == null) {
            throw new IllegalStateException("No LoRA adapters are attached.");
        }
        if (merged == merge) {
            throw new IllegalStateException(merge ? "The adapters are already merged." : "The adapters are not merged.");
        }
        try (GradMode ignored = GradMode.disabled(); NDManager tmp = manager.newSubManager()) {
            for (Layer layer : layers) {
                for (Proj p : projections(layer)) {
                    Adapter a = adapters.get(p.module);
                    if (a == null) {
                        continue;
                    }
                    NDArray delta = a.b.matMul(a.a);
                    delta.attach(tmp);
                    NDArray scaled = Scalars.mul(delta, a.scale);
                    scaled.attach(tmp);
                    if (merge) {
                        p.weight.addi(scaled);
                    } else {
                        p.weight.subi(scaled);
                    }
                }
            }
        }
        merged = merge;
    }

    /**
     * Writes the adapters alone into {@code dir}: {@value #ADAPTER_WEIGHTS} (PEFT's tensor names, float32) and
     * {@value #ADAPTER_CONFIG} (rank, alpha, dropout, targets and the base's fingerprint), each atomically.
     */
    public void saveAdapters(Path dir) {
        if (lora == null) {
            throw new IllegalStateException("No LoRA adapters are attached.");
        }
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : adapterParams.entrySet()) {
            NDArray a = e.getValue();
            tensors.put(PEFT_PREFIX + e.getKey(), new SafeTensors.Tensor("F32", a.getShape().getShape(),
                    a.toFloatArray()));
        }
        SafeTensors.write(dir.resolve(ADAPTER_WEIGHTS), tensors, Map.of("format", "pt"));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("peft_type", "LORA");
        cfg.put("task_type", "CAUSAL_LM");
        cfg.put("r", lora.rank());
        cfg.put("lora_alpha", lora.alpha());
        cfg.put("lora_dropout", lora.dropout());
        cfg.put("target_modules", lora.targetNames().stream().map(t -> t + "_proj").toList());
        cfg.put("bias", "none");
        cfg.put("seed", lora.seed());
        cfg.put("base_model_fingerprint", fingerprint);
        cfg.put("base_model_name_or_path", source);
        Json.writePretty(dir.resolve(ADAPTER_CONFIG), cfg);
    }

    /**
     * Attaches the adapters stored in {@code dir} by {@link #saveAdapters} (replacing none: the model must have
     * none yet).
     *
     * @throws IllegalArgumentException when they were trained on another base (fingerprints differ), or a tensor
     *                                  is missing or mis-shaped
     */
    public void loadAdapters(Path dir) {
        LoraConfig config = readAdapterConfig(dir);
        enableLora(config);
        try {
            setAdapterValues(dir);
        } catch (RuntimeException e) {
            removeAdapters();
            throw e;
        }
    }

    /** The config of the adapters in {@code dir}, after checking that they were trained on this base. */
    private LoraConfig readAdapterConfig(Path dir) {
        Path cfgFile = dir.resolve(ADAPTER_CONFIG);
        if (!Files.isRegularFile(cfgFile)) {
            throw new IllegalArgumentException("No " + ADAPTER_CONFIG + " in " + dir + ".");
        }
        com.fasterxml.jackson.databind.JsonNode cfg;
        try {
            cfg = Json.mapper().readTree(cfgFile.toFile());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Cannot parse " + cfgFile + ": " + e.getMessage(), e);
        }
        String expected = cfg.path("base_model_fingerprint").asText("");
        if (!expected.equals(fingerprint)) {
            throw new IllegalArgumentException("The adapters in " + dir + " were trained on another base model "
                    + "(fingerprint " + (expected.isEmpty() ? "missing" : expected.substring(0, Math.min(12,
                    expected.length()))) + ", this base " + fingerprint.substring(0, 12) + ", "
                    + cfg.path("base_model_name_or_path").asText("?") + " vs " + source + ").");
        }
        java.util.List<String> targets = new java.util.ArrayList<>();
        cfg.path("target_modules").forEach(t -> targets.add(t.asText()));
        return new LoraConfig(cfg.path("r").asInt(), cfg.path("lora_alpha").asDouble(),
                cfg.path("lora_dropout").asDouble(0), LoraConfig.parseTargets(String.join(",", targets)),
                cfg.path("seed").asLong(42));
    }

    /** Sets the attached adapters to the values stored in {@code dir}. */
    @SuppressWarnings("try")
    private void setAdapterValues(Path dir) {
        try (SafeTensors st = SafeTensors.open(java.util.List.of(dir.resolve(ADAPTER_WEIGHTS)));
             GradMode ignored = GradMode.disabled()) {
            for (Map.Entry<String, NDArray> e : adapterParams.entrySet()) {
                String name = PEFT_PREFIX + e.getKey();
                SafeTensors.Entry entry = st.entry(name);
                long[] want = e.getValue().getShape().getShape();
                if (entry == null) {
                    throw new IllegalArgumentException("Adapter tensor '" + name + "' is missing from " + dir + ".");
                }
                if (!Arrays.equals(entry.shape(), want)) {
                    throw new IllegalArgumentException("Adapter tensor '" + name + "' in " + dir + " has shape "
                            + Arrays.toString(entry.shape()) + ", expected " + Arrays.toString(want) + ".");
                }
                e.getValue().set(st.floats(name));
            }
        }
    }

    /**
     * A frozen policy that shares this decoder's base weights and holds a copy of its adapters as they are now: the
     * KL reference of LoRA GRPO for the memory of one set of adapters instead of a second base (for a 0.6B base in
     * float32, 2.4 GB saved). Later training of this decoder's adapters does not move it. It computes exactly what
     * this decoder computes now (without dropout); it must be closed before this decoder, and closing it frees only
     * its adapter copies. Its {@link PolicyModel#parameters()} are those copies.
     *
     * @throws IllegalStateException when no adapters are attached (the reference would be the base itself: use it)
     *                               or they are merged into the base (the base would change under the view)
     */
    @SuppressWarnings("try")
    public PolicyModel frozenView() {
        if (lora == null) {
            throw new IllegalStateException("A frozen view shares the base and copies the adapters; " + this
                    + " has no adapters, so the reference is the base itself.");
        }
        if (merged) {
            throw new IllegalStateException("The adapters of " + this + " are merged into the base; unmerge them "
                    + "before taking a frozen view.");
        }
        NDManager own = manager.newSubManager();
        Map<String, Adapter> copies = new LinkedHashMap<>();
        Map<String, NDArray> params = new LinkedHashMap<>();
        try (GradMode ignored = GradMode.disabled()) {
            for (Map.Entry<String, Adapter> e : adapters.entrySet()) {
                Adapter a = e.getValue();
                NDArray ca = a.a.duplicate();
                NDArray cb = a.b.duplicate();
                ca.attach(own);
                cb.attach(own);
                copies.put(e.getKey(), new Adapter(ca, cb, a.scale));
                params.put(e.getKey() + ".lora_A.weight", ca);
                params.put(e.getKey() + ".lora_B.weight", cb);
            }
        }
        Map<String, Adapter> frozen = Collections.unmodifiableMap(copies);
        Map<String, NDArray> frozenParams = Collections.unmodifiableMap(params);
        HfDecoder outer = this;
        return new PolicyModel() {
            @Override
            public int vocabSize() {
                return outer.vocabSize();
            }

            @Override
            public int contextLength() {
                return outer.contextLength();
            }

            @Override
            public NDManager manager() {
                return own;
            }

            @Override
            public KvCache newCache(NDManager parent, int batchSize) {
                return outer.newCache(parent, batchSize);
            }

            @Override
            public NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache) {
                if (outer.merged) {
                    throw new IllegalStateException("The adapters of " + outer + " were merged into the base under "
                            + "its frozen view; unmerge them to use the view.");
                }
                return outer.hidden(tokens, positions, keyMask, cache, null, frozen);
            }

            @Override
            public NDArray logits(NDArray hidden) {
                return outer.logits(hidden);
            }

            @Override
            public Map<String, NDArray> parameters() {
                return frozenParams;
            }

            @Override
            public void close() {
                own.close();
            }

            @Override
            public String toString() {
                return "frozen view of " + outer;
            }
        };
    }

    /** Detaches the adapters (unmerging them first when merged); the base becomes the whole model again. */
    public void removeAdapters() {
        if (lora == null) {
            return;
        }
        if (merged) {
            unmergeAdapters();
        }
        for (NDArray a : adapterParams.values()) {
            a.close();
        }
        adapters.clear();
        adapterParams.clear();
        lora = null;
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "HfDecoder[" + config + (lora == null ? "" : ", LoRA r=" + lora.rank() + " " + lora.targetNames())
                + "]";
    }
}
