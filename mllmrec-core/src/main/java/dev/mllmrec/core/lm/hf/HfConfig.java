package dev.mllmrec.core.lm.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a Hugging Face decoder, read from its {@code config.json}. Supported architectures:
 * {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} and {@code Qwen3ForCausalLM} (see {@link Family}).
 *
 * @param family           the architecture family
 * @param hiddenSize       the residual width
 * @param intermediateSize the SwiGLU MLP's inner width
 * @param layers           the number of decoder layers
 * @param heads            the number of query heads
 * @param kvHeads          the number of key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headDim          each head's width ({@code head_dim}, else {@code hiddenSize / heads})
 * @param vocabSize        the number of token ids
 * @param maxPositions     {@code max_position_embeddings}, the longest sequence accepted
 * @param rmsNormEps       the RMSNorm epsilon
 * @param ropeTheta        the rotary base
 * @param tiedEmbeddings   whether the output layer is the token embedding
 * @param attentionBias    whether q/k/v (and, for Llama, o) projections have biases
 * @param mlpBias          whether the MLP projections have biases (Llama's {@code mlp_bias})
 * @param bosId            the beginning-of-sequence id, or {@code -1}
 * @param eosIds           the end-of-sequence ids (maybe empty)
 */
public record HfConfig(Family family, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                       int headDim, int vocabSize, int maxPositions, double rmsNormEps, double ropeTheta,
                       boolean tiedEmbeddings, boolean attentionBias, boolean mlpBias, int bosId, int[] eosIds) {

    /** The file name inside a model folder. */
    public static final String FILE = "config.json";

    /** The supported architectures and what sets them apart. */
    public enum Family {
        /** Llama (and Llama-shaped checkpoints): optional {@code attention_bias} on q/k/v/o. */
        LLAMA("LlamaForCausalLM", "llama"),
        /** Qwen2 / Qwen2.5: biases on q, k and v (never o). */
        QWEN2("Qwen2ForCausalLM", "qwen2"),
        /** Qwen3: per-head RMSNorm of q and k before rotary, explicit {@code head_dim}. */
        QWEN3("Qwen3ForCausalLM", "qwen3");

        private final String architecture;
        private final String modelType;

        Family(String architecture, String modelType) {
            this.architecture = architecture;
            this.modelType = modelType;
        }

        /** The {@code architectures} entry. */
        public String architecture() {
            return architecture;
        }

        /** The {@code model_type}. */
        public String modelType() {
            return modelType;
        }
    }

    /** Validates the shape. */
    public HfConfig {
        if (hiddenSize <= 0 || intermediateSize <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0
                || vocabSize <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException("Sizes must be positive in " + describe(family, hiddenSize, layers,
                    heads, kvHeads, headDim, vocabSize) + ".");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + heads + " is not a multiple of "
                    + "num_key_value_heads " + kvHeads + ".");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " is odd; rotary positions need an even width.");
        }
        eosIds = eosIds.clone();
    }

    /** The end-of-sequence ids (a copy). */
    @Override
    public int[] eosIds() {
        return eosIds.clone();
    }

    /** Query heads per key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Whether q and k get a per-head RMSNorm (Qwen3). */
    public boolean qkNorm() {
        return family == Family.QWEN3;
    }

    /** Whether q, k and v have biases. */
    public boolean qkvBias() {
        return family == Family.QWEN2 || attentionBias;
    }

    /** Whether the attention output projection has a bias (Llama with {@code attention_bias} only). */
    public boolean outputBias() {
        return family != Family.QWEN2 && attentionBias;
    }

    /** Reads {@code dir/config.json}. */
    public static HfConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No " + FILE + " in " + dir + ": not a Hugging Face model folder.");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot parse " + file + ": " + e.getMessage(), e);
        }
        return parse(root, file.toString());
    }

    /** Parses a {@code config.json} tree; {@code source} names it in errors. */
    public static HfConfig parse(JsonNode root, String source) {
        Family family = familyOf(root, source);
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException(source + ": hidden_act '" + act + "' is not supported (only silu).");
        }
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            String type = scaling.path("rope_type").asText(scaling.path("type").asText(""));
            if (!type.equals("default")) {
                throw new IllegalArgumentException(source + ": rope_scaling of type '" + type + "' is not supported "
                        + "(only plain rotary positions).");
            }
        }
        if (root.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException(source + ": sliding-window attention is not supported.");
        }
        int hidden = required(root, "hidden_size", source);
        int heads = required(root, "num_attention_heads", source);
        int kvHeads = root.path("num_key_value_heads").asInt(heads);
        JsonNode hd = root.get("head_dim");
        int headDim = hd == null || hd.isNull() ? hidden / heads : hd.asInt();
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = root.get("eos_token_id");
        if (eosNode != null && eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        } else if (eosNode != null && eosNode.isNumber()) {
            eos.add(eosNode.asInt());
        }
        JsonNode bos = root.get("bos_token_id");
        return new HfConfig(family, hidden, required(root, "intermediate_size", source),
                required(root, "num_hidden_layers", source), heads, kvHeads, headDim,
                required(root, "vocab_size", source), root.path("max_position_embeddings").asInt(2048),
                root.path("rms_norm_eps").asDouble(1e-6), root.path("rope_theta").asDouble(10000.0),
                root.path("tie_word_embeddings").asBoolean(false), root.path("attention_bias").asBoolean(false),
                root.path("mlp_bias").asBoolean(false), bos != null && bos.isNumber() ? bos.asInt() : -1,
                eos.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Family familyOf(JsonNode root, String source) {
        JsonNode archs = root.get("architectures");
        String type = root.path("model_type").asText("");
        List<String> names = new ArrayList<>();
        if (archs != null && archs.isArray()) {
            archs.forEach(a -> names.add(a.asText()));
        }
        for (Family f : Family.values()) {
            if (names.contains(f.architecture()) || (names.isEmpty() && type.equals(f.modelType()))) {
                return f;
            }
        }
        throw new IllegalArgumentException(source + ": unsupported architecture " + (names.isEmpty()
                ? "model_type '" + type + "'" : names) + "; supported: LlamaForCausalLM, Qwen2ForCausalLM, "
                + "Qwen3ForCausalLM.");
    }

    private static int required(JsonNode root, String key, String source) {
        JsonNode n = root.get(key);
        if (n == null || !n.canConvertToInt()) {
            throw new IllegalArgumentException(source + ": \"" + key + "\" is missing or not an integer.");
        }
        return n.asInt();
    }

    /** This config as a Hugging Face {@code config.json} tree (for writing model folders). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of(family.architecture()));
        m.put("model_type", family.modelType());
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("num_hidden_layers", layers);
        m.put("num_attention_heads", heads);
        m.put("num_key_value_heads", kvHeads);
        m.put("head_dim", headDim);
        m.put("vocab_size", vocabSize);
        m.put("max_position_embeddings", maxPositions);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_theta", ropeTheta);
        m.put("hidden_act", "silu");
        m.put("tie_word_embeddings", tiedEmbeddings);
        m.put("attention_bias", attentionBias);
        m.put("mlp_bias", mlpBias);
        if (bosId >= 0) {
            m.put("bos_token_id", bosId);
        }
        if (eosIds.length == 1) {
            m.put("eos_token_id", eosIds[0]);
        } else if (eosIds.length > 1) {
            m.put("eos_token_id", eosIds);
        }
        m.put("torch_dtype", "float32");
        return m;
    }

    private static String describe(Family family, int hidden, int layers, int heads, int kvHeads, int headDim,
                                   int vocab) {
        return family + "[hidden " + hidden + ", layers " + layers + ", heads " + heads + "/" + kvHeads
                + ", head_dim " + headDim + ", vocab " + vocab + "]";
    }

    @Override
    public String toString() {
        return describe(family, hiddenSize, layers, heads, kvHeads, headDim, vocabSize);
    }
}
