package dev.mllmrec.core.onnx;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.KvCache;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.onnx.OnnxGraph.ElementType;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exports a {@link CausalLm} policy's likelihood ranking to ONNX: from left-padded prompt token ids, their attention
 * mask and the candidate answer tokens to each candidate's log-probability at the prompt's last position,
 * {@code log softmax(logits)[candidate]}. Batch, sequence (at most the context length) and candidate count are
 * dynamic axes. A multi-token answer is scored by feeding the prompt plus the answer so far as further rows
 * ({@link OnnxRecommender} does this), so the graph needs no KV cache.
 *
 * <p>The graph is composed of the model's parts: the token {@link ItemTable} (with the item-content term when the
 * model has one), rotary positions computed from the mask, one decoder block per layer, the final LayerNorm and the
 * output {@link ItemTable} (the tied token table, content included).
 *
 * <p>Stateless; thread-safe.
 */
public final class PolicyOnnxExporter {

    /** The input of token ids, {@code (batch, sequence)}, left-padded. */
    public static final String TOKENS_INPUT = "input_ids";
    /** The input mask, {@code (batch, sequence)}: 1 for a token, 0 for padding. */
    public static final String MASK_INPUT = "attention_mask";
    /** The input of the token ids to score after the last position, {@code (batch, candidates)}. */
    public static final String TARGETS_INPUT = "candidate_token_ids";
    /** The output of log-probabilities, {@code (batch, candidates)}. */
    public static final String LOG_PROBS_OUTPUT = "log_probs";
    /** The tokenizer's file name in an export directory. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private PolicyOnnxExporter() {
    }

    /**
     * The token tables of {@code model}: its embedding and its output layer, content term included, in their
     * serving form (the rows of {@link CausalLm#UNTRAINED_ITEMS} replaced, as {@code CausalLm} serves them).
     */
    static ItemTable[] tables(LmConfig c, Map<String, float[]> values) {
        int d = c.dModel();
        LmConfig.ItemContentShape content = c.content();
        Map<String, float[]> p = new java.util.HashMap<>(values);
        float[] untrained = values.get(CausalLm.UNTRAINED_ITEMS);
        if (untrained != null) {
            int[] tokens = new int[untrained.length];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (int) untrained[i];
            }
            for (String name : new String[] {"tok_emb", "head.weight"}) {
                if (p.containsKey(name)) {
                    p.put(name, CausalLm.servingRows(p.get(name), d, content.firstToken(), content.tokens(), tokens));
                }
            }
        }
        ItemTable.Content term = content.enabled()
                ? new ItemTable.Content(p.get(CausalLm.CONTENT_VECTORS), content.firstToken(), content.tokens(),
                        content.dimension(), p.get(CausalLm.CONTENT_PROJECTION))
                : null;
        ItemTable embed = term == null ? ItemTable.plain("tok_emb", p.get("tok_emb"), c.vocabSize(), d)
                : ItemTable.withContent("tok_emb", p.get("tok_emb"), c.vocabSize(), d, term);
        if (c.tiedEmbeddings()) {
            return new ItemTable[] {embed, embed};
        }
        ItemTable head = term == null ? ItemTable.plain("head.weight", p.get("head.weight"), c.vocabSize(), d)
                : ItemTable.withContent("head.weight", p.get("head.weight"), c.vocabSize(), d, term);
        return new ItemTable[] {embed, head};
    }

    /** The ONNX model's bytes. */
    public static byte[] toOnnx(CausalLm model) {
        LmConfig c = model.config();
        Map<String, float[]> p = model.parameterValues();
        int d = c.dModel();
        int heads = c.heads();
        int dh = c.headSize();
        float eps = (float) c.layerNormEps();
        OnnxGraph g = new OnnxGraph("policy");
        String ids = g.input(TOKENS_INPUT, ElementType.INT64, "token ids, left-padded", "batch", "sequence");
        String mask = g.input(MASK_INPUT, ElementType.INT64, "1 for a token, 0 for padding", "batch", "sequence");
        String targets = g.input(TARGETS_INPUT, ElementType.INT64, "token ids scored after the last position",
                "batch", "candidates");
        ItemTable[] tables = tables(c, p);
        ItemTable.Bound embed = tables[0].bind(g);
        ItemTable.Bound head = tables[1] == tables[0] ? embed : tables[1].bind(g);

        g.scope("positions");
        // Each token's position counts the tokens before it (padding has position 0 and is masked as a key).
        String positions = g.op("Max", List.of(
                g.sub(g.op("CumSum", List.of(mask, g.ints(1))), g.ints(1)), g.ints(0)));
        float[][] rope = CausalLm.ropeTables(c);
        String cos = g.unsqueeze(g.gather(g.initializer("rope.cos", rope[0], c.contextLength(), dh), positions, 0),
                1);                                                                         // (B, 1, T, dh)
        String sin = g.unsqueeze(g.gather(g.initializer("rope.signed_sin", rope[1], c.contextLength(), dh),
                positions, 0), 1);
        g.scope("mask");
        String maskF = g.cast(mask, ElementType.FLOAT);
        String keyBias = g.reshape(g.mul(g.sub(g.scalar(1f), maskF), g.scalar(KvCache.MASKED)), 0, 1, 1, -1);
        String len = g.dim(ids, 1);
        String square = g.op("ConstantOfShape", List.of(g.concat(0, len, len)),
                OnnxGraph.scalarTensorAttr("value", ElementType.FLOAT, 1));
        String future = g.op("Trilu", List.of(square, g.initializer("mask/k", new long[] {1})),
                OnnxGraph.attr("upper", 1L));                                               // j > i
        String bias = g.add(keyBias, g.mul(future, g.scalar(KvCache.MASKED)));              // (B, 1, T, T)

        g.scope("embed");
        String x = embed.rows(ids);
        for (int l = 0; l < c.layers(); l++) {
            String pre = "blocks." + l + ".";
            g.scope("block" + l);
            String h = norm(g, p, x, pre + "ln1", d, eps);
            String qkv = g.transpose(g.reshape(linear(g, p, h, pre + "attn.qkv", 3 * d, d), 0, 0, 3, heads, dh),
                    2, 0, 3, 1, 4);                                                         // (3, B, H, T, dh)
            String qk = g.op("Slice", List.of(qkv, g.ints(0), g.ints(2), g.ints(0)));
            int half = dh / 2;
            String swapped = g.concat(-1, g.op("Slice", List.of(qk, g.ints(half), g.ints(dh), g.ints(-1))),
                    g.op("Slice", List.of(qk, g.ints(0), g.ints(half), g.ints(-1))));
            qk = g.add(g.mul(qk, cos), g.mul(swapped, sin));
            String q = g.mul(g.gather(qk, g.initializer(pre + "q_index", new long[] {0}), 0),
                    g.scalar((float) (1.0 / Math.sqrt(dh))));
            String k = g.gather(qk, g.initializer(pre + "k_index", new long[] {1}), 0);
            String v = g.gather(qkv, g.initializer(pre + "v_index", new long[] {2}), 0);
            String scores = g.add(g.matMul(q, g.transpose(k, 0, 1, 3, 2)), bias);
            String attended = g.reshape(g.transpose(g.matMul(g.softmax(scores, -1), v), 0, 2, 1, 3), 0, 0, d);
            x = g.add(x, linear(g, p, attended, pre + "attn.out", d, d));
            String h2 = norm(g, p, x, pre + "ln2", d, eps);
            String up = linear(g, p, h2, pre + "mlp.fc1", c.mlpHidden(), d);
            x = g.add(x, linear(g, p, gelu(g, up), pre + "mlp.fc2", d, c.mlpHidden()));
        }
        g.scope("score");
        String hidden = norm(g, p, x, "ln_f", d, eps);
        String last = g.reshape(g.gather(hidden, g.initializer("last_position", new long[] {-1}, 1), 1), 0, d);
        String logits = g.op("Gemm", List.of(last, head.full()), OnnxGraph.attr("transB", 1L));   // (B, V)
        String logProbs = g.op("LogSoftmax", List.of(logits), OnnxGraph.attr("axis", -1L));
        String picked = g.op("GatherElements", List.of(logProbs, targets), OnnxGraph.attr("axis", 1L));
        g.scope("");
        g.output(LOG_PROBS_OUTPUT, picked, ElementType.FLOAT,
                "log-probability of each candidate token after the last position", "batch", "candidates");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("mllmrec.kind", OnnxManifest.POLICY);
        meta.put("mllmrec.config", c.toString());
        return g.toModel("mllmrec", "0.1.0",
                "Policy likelihood ranking: prompt tokens and candidate tokens to log-probabilities.", meta);
    }

    /** The exact GELU, {@code x/2 (1 + erf(x / sqrt 2))}, as PyTorch computes it by default. */
    private static String gelu(OnnxGraph g, String x) {
        String erf = g.op("Erf", List.of(g.mul(x, g.scalar((float) (1 / Math.sqrt(2))))));
        return g.mul(g.mul(x, g.scalar(0.5f)), g.add(erf, g.scalar(1f)));
    }

    private static String norm(OnnxGraph g, Map<String, float[]> p, String x, String name, int d, float eps) {
        return g.layerNorm(x, g.initializer(name + ".gamma", p.get(name + ".gamma"), d),
                g.initializer(name + ".beta", p.get(name + ".beta"), d), eps);
    }

    private static String linear(OnnxGraph g, Map<String, float[]> p, String x, String name, int out, int in) {
        return g.linear(x, name + ".weight", p.get(name + ".weight"), out, in, name + ".bias",
                p.get(name + ".bias"));
    }

    /**
     * Writes {@code dir/model.onnx}, {@code dir/tokenizer.json} (a copy of {@code tokenizerFile}) and
     * {@code dir/model.json} (last, so a directory with a manifest is whole).
     *
     * @param name   the report name recorded in the manifest ({@code sft}, {@code grpo})
     * @param style  the prompt style the policy was trained on
     * @param padId  the tokenizer's padding id
     * @param source the checkpoint directory, recorded in the manifest (may be {@code null})
     */
    public static OnnxManifest export(CausalLm model, Path tokenizerFile, PromptBuilder.Style style, int padId,
                                      String name, Path source, Path dir) {
        AtomicFiles.write(dir.resolve(OnnxManifest.MODEL_FILE), toOnnx(model));
        try {
            AtomicFiles.write(dir.resolve(TOKENIZER_FILE), Files.readAllBytes(tokenizerFile));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the tokenizer " + tokenizerFile + ": " + e.getMessage(), e);
        }
        LmConfig c = model.config();
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("config", c.toString());
        provenance.put("parameters", model.parameterCount());
        OnnxManifest m = new OnnxManifest(OnnxManifest.FORMAT, OnnxManifest.POLICY, name, OnnxManifest.MODEL_FILE,
                OnnxGraph.OPSET,
                List.of(new OnnxManifest.Tensor(TOKENS_INPUT, "int64", List.of("batch", "sequence"),
                                "the prompt's token ids (tokenizer.json), left-padded with padId"),
                        new OnnxManifest.Tensor(MASK_INPUT, "int64", List.of("batch", "sequence"),
                                "1 for a prompt token, 0 for padding"),
                        new OnnxManifest.Tensor(TARGETS_INPUT, "int64", List.of("batch", "candidates"),
                                "token ids to score after the last position (each candidate's item token)")),
                List.of(new OnnxManifest.Tensor(LOG_PROBS_OUTPUT, "float32", List.of("batch", "candidates"),
                        "log p(candidate token | prompt), the likelihood ranking's score")),
                null, c.contextLength(), TOKENIZER_FILE, style.name().toLowerCase(Locale.ROOT), Math.max(0, padId),
                source == null ? null : source.toString(), provenance);
        m.write(dir);
        return m;
    }
}
