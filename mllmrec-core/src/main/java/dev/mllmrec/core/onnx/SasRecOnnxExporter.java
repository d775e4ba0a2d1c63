package dev.mllmrec.core.onnx;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.onnx.OnnxGraph.ElementType;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a {@link SasRecModel}'s ranking computation to ONNX: from right-aligned item sequences and candidates
 * (both as dense indices of the model's vocabulary) to the candidates' scores, the dot product of the last
 * position's hidden state with each candidate's embedding. Batch, sequence length (at most
 * {@link SasRecConfig#maxLength()}) and candidate count are dynamic axes.
 *
 * <p>The graph is composed of the model's parts: the {@link ItemTable} (inputs and candidates), the learnt
 * positions, one self-attention block per {@link SasRecConfig#blocks()}, the final LayerNorm and the scoring head.
 * A shorter sequence than {@code maxLength} reads the last rows of the position table, which equals left-padding it
 * to {@code maxLength} (padded positions are masked as keys and zeroed after every block).
 *
 * <p>Stateless; thread-safe.
 */
public final class SasRecOnnxExporter {

    /** The input of dense item indices, {@code (batch, sequence)}, left-padded with 0. */
    public static final String ITEMS_INPUT = "item_indices";
    /** The input of candidates' dense indices, {@code (batch, candidates)}. */
    public static final String CANDIDATES_INPUT = "candidate_indices";
    /** The output of scores, {@code (batch, candidates)}. */
    public static final String SCORES_OUTPUT = "scores";

    private SasRecOnnxExporter() {
    }

    /** The ONNX model's bytes. */
    public static byte[] toOnnx(SasRecModel model) {
        SasRecConfig c = model.config();
        Map<String, float[]> p = model.parameterValues();
        int h = c.hiddenSize();
        int v = model.numItems() + 1;
        OnnxGraph g = new OnnxGraph("sasrec");
        String seq = g.input(ITEMS_INPUT, ElementType.INT64, "dense item indices, right-aligned, 0 = padding",
                "batch", "sequence");
        String cand = g.input(CANDIDATES_INPUT, ElementType.INT64, "dense indices of the candidates",
                "batch", "candidates");
        ItemTable.Bound items = ItemTable.plain("item_embedding", model.itemTableValues(), v, h).bind(g);

        g.scope("embed");
        String real = g.cast(g.op("Greater", List.of(seq, g.ints(0))), ElementType.FLOAT); // (B, T)
        String realF = g.unsqueeze(real, -1);                                                 // (B, T, 1)
        String positions = g.initializer("position_embedding", p.get("position_embedding"), c.maxLength(), h);
        String len = g.dim(seq, 1);
        String pos = g.op("Slice", List.of(positions, g.op("Neg", List.of(len)), g.ints(c.maxLength()),
                g.ints(0)));                                                                  // (T, H)
        String x = g.mul(g.add(g.mul(items.rows(seq), g.scalar((float) Math.sqrt(h))), pos), realF);

        g.scope("mask");
        String square = g.op("ConstantOfShape", List.of(g.concat(0, len, len)),
                OnnxGraph.scalarTensorAttr("value", ElementType.FLOAT, 1));
        String causal = g.op("Trilu", List.of(square), OnnxGraph.attr("upper", 0L));
        String diag = g.op("EyeLike", List.of(square));
        String keyReal = g.reshape(real, 0, 1, 1, -1);                                        // (B, 1, 1, T)
        String allowed = g.op("Max", List.of(g.mul(keyReal, causal), diag));                  // (B, 1, T, T)
        String bias = g.mul(g.sub(allowed, g.scalar(1f)), g.scalar(-SasRecModel.MASKED));

        for (int b = 0; b < c.blocks(); b++) {
            String pre = "block" + b + ".";
            g.scope("block" + b);
            String y = norm(g, p, x, pre + "ln1", h);
            x = g.add(x, attention(g, p, y, bias, pre + "attn.", c));
            y = norm(g, p, x, pre + "ln2", h);
            String f = g.op("Relu", List.of(linear(g, p, y, pre + "ffn1", h, h)));
            f = linear(g, p, f, pre + "ffn2", h, h);
            x = g.mul(g.add(x, f), realF);
        }
        g.scope("score");
        String hidden = norm(g, p, x, "final_ln", h);
        String last = g.gather(hidden, g.initializer("last_position", new long[] {-1}, 1), 1); // (B, 1, H)
        String scores = g.squeeze(g.matMul(items.rows(cand), g.transpose(last, 0, 2, 1)), -1); // (B, C)
        g.scope("");
        g.output(SCORES_OUTPUT, scores, ElementType.FLOAT, "each candidate's score (higher ranks first)",
                "batch", "candidates");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("mllmrec.kind", OnnxManifest.SASREC);
        meta.put("mllmrec.max_length", String.valueOf(c.maxLength()));
        return g.toModel("mllmrec", "0.1.0", "SASRec ranking: item sequences and candidates to scores.", meta);
    }

    private static String norm(OnnxGraph g, Map<String, float[]> p, String x, String name, int h) {
        return g.layerNorm(x, g.initializer(name + ".gamma", p.get(name + ".gamma"), h),
                g.initializer(name + ".beta", p.get(name + ".beta"), h), SasRecModel.LN_EPS);
    }

    private static String linear(OnnxGraph g, Map<String, float[]> p, String x, String name, int out, int in) {
        return g.linear(x, name + ".weight", p.get(name + ".weight"), out, in, name + ".bias",
                p.get(name + ".bias"));
    }

    private static String attention(OnnxGraph g, Map<String, float[]> p, String y, String bias, String pre,
                                    SasRecConfig c) {
        int h = c.hiddenSize();
        int heads = c.heads();
        int d = h / heads;
        String q = g.transpose(g.reshape(linear(g, p, y, pre + "q", h, h), 0, 0, heads, d), 0, 2, 1, 3);
        String kT = g.transpose(g.reshape(linear(g, p, y, pre + "k", h, h), 0, 0, heads, d), 0, 2, 3, 1);
        String v = g.transpose(g.reshape(linear(g, p, y, pre + "v", h, h), 0, 0, heads, d), 0, 2, 1, 3);
        String scores = g.add(g.mul(g.matMul(q, kT), g.scalar((float) (1 / Math.sqrt(d)))), bias);
        String out = g.reshape(g.transpose(g.matMul(g.softmax(scores, -1), v), 0, 2, 1, 3), 0, 0, h);
        return linear(g, p, out, pre + "o", h, h);
    }

    /**
     * Writes {@code dir/model.onnx} and {@code dir/model.json} (the manifest last, so a directory with a manifest is
     * whole).
     *
     * @param name   the report name recorded in the manifest (usually {@code sasrec})
     * @param source the checkpoint directory the model came from, recorded in the manifest (may be {@code null})
     */
    public static OnnxManifest export(SasRecModel model, String name, Path source, Path dir) {
        AtomicFiles.write(dir.resolve(OnnxManifest.MODEL_FILE), toOnnx(model));
        OnnxManifest m = new OnnxManifest(OnnxManifest.FORMAT, OnnxManifest.SASREC, name, OnnxManifest.MODEL_FILE,
                OnnxGraph.OPSET,
                List.of(new OnnxManifest.Tensor(ITEMS_INPUT, "int64", List.of("batch", "sequence"),
                                "the history's items as dense indices (items[i] has index i + 1), oldest first, "
                                        + "right-aligned, left-padded with 0, at most maxLength long"),
                        new OnnxManifest.Tensor(CANDIDATES_INPUT, "int64", List.of("batch", "candidates"),
                                "the candidates' dense indices (0 for an unknown item: ignore its score)")),
                List.of(new OnnxManifest.Tensor(SCORES_OUTPUT, "float32", List.of("batch", "candidates"),
                        "each candidate's score, higher ranks first")),
                model.itemIds(), model.config().maxLength(), null, null, null,
                source == null ? null : source.toString(), model.provenance());
        m.write(dir);
        return m;
    }
}
