package dev.mllmrec.core.lm;

import java.util.Locale;

/**
 * The shape of a {@link CausalLm}: a decoder-only transformer with rotary positions, pre-LayerNorm blocks of
 * multi-head causal self-attention and a GELU MLP, a final LayerNorm and (optionally) an output layer tied to the
 * token embeddings. Immutable; build one with {@link #builder()} or from a {@link Preset}.
 *
 * @param preset         the preset it came from, or {@code custom}
 * @param vocabSize      the number of token ids
 * @param dModel         the width of the residual stream
 * @param layers         the number of transformer blocks
 * @param heads          attention heads per block; {@code dModel} must be a multiple of it, with an even head size
 * @param mlpHidden      the MLP's hidden width
 * @param contextLength  the longest sequence (prompt plus generated tokens) the model accepts
 * @param tiedEmbeddings whether the output layer reuses the token embedding matrix
 * @param ropeTheta      the rotary embedding base
 * @param layerNormEps   LayerNorm's epsilon
 * @param initStd        the standard deviation of the initial weights
 * @param content        the item-content term of the item tokens' embeddings, or {@link ItemContentShape#NONE}
 *                       ({@code null} reads as none: configs written before the term existed)
 */
public record LmConfig(String preset, int vocabSize, int dModel, int layers, int heads, int mlpHidden,
                       int contextLength, boolean tiedEmbeddings, double ropeTheta, double layerNormEps,
                       double initStd, ItemContentShape content) {

    /**
     * Where item content enters the model: the item tokens {@code [firstToken, firstToken + tokens)} each have a
     * frozen content vector of {@code dimension} values (for example a sentence embedding of the item's title,
     * attributes and caption), and their embedding, on the input and on the tied output side, is the learnt token
     * embedding plus a learnt linear projection of that vector. An item with no training interactions still gets a
     * representation from its content.
     *
     * @param dimension  the content vectors' width (0: no content term)
     * @param firstToken the token id of the first item token
     * @param tokens     the number of consecutive item tokens
     */
    public record ItemContentShape(int dimension, int firstToken, int tokens) {

        /** No content term: item tokens are ids only. */
        public static final ItemContentShape NONE = new ItemContentShape(0, 0, 0);

        /** Validates. */
        public ItemContentShape {
            if (dimension < 0 || firstToken < 0 || tokens < 0) {
                throw new IllegalArgumentException("Invalid item-content shape: dimension " + dimension
                        + ", first token " + firstToken + ", tokens " + tokens + " (none may be negative).");
            }
        }

        /** Whether there is a content term. */
        public boolean enabled() {
            return dimension > 0 && tokens > 0;
        }
    }

    /** Validates. */
    public LmConfig {
        require(vocabSize > 0, "vocabSize must be positive, got " + vocabSize);
        require(dModel > 0, "dModel must be positive, got " + dModel);
        require(layers > 0, "layers must be positive, got " + layers);
        require(heads > 0 && dModel % heads == 0, "dModel " + dModel + " must be a multiple of heads " + heads);
        require((dModel / heads) % 2 == 0, "the head size " + (dModel / heads) + " must be even for rotary "
                + "positions");
        require(mlpHidden > 0, "mlpHidden must be positive, got " + mlpHidden);
        require(contextLength > 1, "contextLength must be at least 2, got " + contextLength);
        require(ropeTheta > 1, "ropeTheta must exceed 1, got " + ropeTheta);
        require(layerNormEps > 0, "layerNormEps must be positive, got " + layerNormEps);
        require(initStd > 0, "initStd must be positive, got " + initStd);
        if (preset == null) {
            preset = "custom";
        }
        if (content == null) {
            content = ItemContentShape.NONE;
        }
        require(!content.enabled() || content.firstToken() + content.tokens() <= vocabSize, "the item tokens "
                + content + " exceed the vocabulary of " + vocabSize);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid LmConfig: " + message + ".");
        }
    }

    /** The size of one attention head. */
    public int headSize() {
        return dModel / heads;
    }

    /** The number of trainable scalars. */
    public long parameterCount() {
        long d = dModel;
        long perLayer = 2 * d + 2 * d // two LayerNorms
                + 3 * d * d + 3 * d // fused q, k, v projection
                + d * d + d // output projection
                + mlpHidden * d + mlpHidden + d * mlpHidden + d; // MLP
        long embeddings = (long) vocabSize * d;
        long contentProjection = content.enabled() ? (long) content.dimension() * d : 0;
        return embeddings + layers * perLayer + 2 * d + (tiedEmbeddings ? 0 : embeddings) + contentProjection;
    }

    /** The same shape with an item-content term ({@link ItemContentShape#NONE} removes it). */
    public LmConfig withContent(ItemContentShape newContent) {
        return new LmConfig(preset, vocabSize, dModel, layers, heads, mlpHidden, contextLength, tiedEmbeddings,
                ropeTheta, layerNormEps, initStd, newContent);
    }

    /** The same shape with another vocabulary size. */
    public LmConfig withVocabSize(int newVocabSize) {
        return new LmConfig(preset, newVocabSize, dModel, layers, heads, mlpHidden, contextLength, tiedEmbeddings,
                ropeTheta, layerNormEps, initStd, content);
    }

    /** A builder with every optional setting at its default (the {@code small} preset's shape). */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LmConfig[%s: vocab %d, d %d, %d layers, %d heads, mlp %d, ctx %d%s%s, "
                        + "%,d params]", preset, vocabSize, dModel, layers, heads, mlpHidden, contextLength,
                tiedEmbeddings ? ", tied" : "",
                content.enabled() ? ", item content " + content.dimension() + "-d on " + content.tokens() + " items"
                        : "", parameterCount());
    }

    /**
     * Named model sizes. {@code MINI} is the pipeline's default: SASRec's width and depth, which on MovieLens ranks
     * better than the wider {@code SMALL} (which overfits the item sequences within a few epochs) and trains on tens
     * of thousands of short prompts in minutes on a 2-core laptop.
     */
    public enum Preset {
        /** For unit tests: trains and generates in milliseconds. */
        TINY(32, 2, 2, 64, 512, 0.02),
        /**
         * SASRec's shape (width 64, 2 blocks, one head, an MLP as wide as the stream) with embeddings initialised at
         * standard deviation 0.1, about SASRec's scaled item embeddings; the default.
         */
        MINI(64, 2, 1, 64, 1024, 0.1),
        /** Twice as wide with four heads and a 4x MLP. */
        SMALL(128, 2, 4, 512, 1024, 0.02),
        /** Twice as deep and wide again; for a machine with more cores. */
        BASE(256, 4, 4, 1024, 2048, 0.02);

        private final int dModel;
        private final int layers;
        private final int heads;
        private final int mlpHidden;
        private final int contextLength;
        private final double initStd;

        Preset(int dModel, int layers, int heads, int mlpHidden, int contextLength, double initStd) {
            this.dModel = dModel;
            this.layers = layers;
            this.heads = heads;
            this.mlpHidden = mlpHidden;
            this.contextLength = contextLength;
            this.initStd = initStd;
        }

        /** The preset's shape for a vocabulary of {@code vocabSize} tokens. */
        public LmConfig config(int vocabSize) {
            return builder().optPreset(this).setVocabSize(vocabSize).build();
        }

        /** The preset named {@code name} (case-insensitive). */
        public static Preset of(String name) {
            for (Preset p : values()) {
                if (p.name().equalsIgnoreCase(name)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("Unknown model preset '" + name + "'; known presets: tiny, mini, "
                    + "small, base.");
        }

        /** The lower-case name used on command lines and in files. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Builds an {@link LmConfig}: {@code setVocabSize} is required, everything else has a default. */
    public static final class Builder {
        private String preset = "custom";
        private int vocabSize = -1;
        private int dModel = Preset.SMALL.dModel;
        private int layers = Preset.SMALL.layers;
        private int heads = Preset.SMALL.heads;
        private int mlpHidden = Preset.SMALL.mlpHidden;
        private int contextLength = Preset.SMALL.contextLength;
        private boolean tied = true;
        private double ropeTheta = 10_000;
        private double layerNormEps = 1e-5;
        private double initStd = 0.02;

        private Builder() {
        }

        /** Starts from a preset's shape. */
        public Builder optPreset(Preset p) {
            preset = p.id();
            dModel = p.dModel;
            layers = p.layers;
            heads = p.heads;
            mlpHidden = p.mlpHidden;
            contextLength = p.contextLength;
            initStd = p.initStd;
            return this;
        }

        /** The vocabulary size (required): the tokenizer's {@code vocabSize()}. */
        public Builder setVocabSize(int v) {
            vocabSize = v;
            return this;
        }

        /** The residual width. */
        public Builder optDModel(int v) {
            dModel = v;
            preset = "custom";
            return this;
        }

        /** The number of blocks. */
        public Builder optLayers(int v) {
            layers = v;
            preset = "custom";
            return this;
        }

        /** The number of attention heads. */
        public Builder optHeads(int v) {
            heads = v;
            preset = "custom";
            return this;
        }

        /** The MLP hidden width. */
        public Builder optMlpHidden(int v) {
            mlpHidden = v;
            preset = "custom";
            return this;
        }

        /** The longest sequence. */
        public Builder optContextLength(int v) {
            contextLength = v;
            return this;
        }

        /** Whether the output layer is tied to the token embeddings (default true). */
        public Builder optTiedEmbeddings(boolean v) {
            tied = v;
            return this;
        }

        /** The rotary base (default 10,000). */
        public Builder optRopeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        /** The initial weights' standard deviation (default 0.02). */
        public Builder optInitStd(double v) {
            initStd = v;
            return this;
        }

        /** Validates and builds. */
        public LmConfig build() {
            if (vocabSize <= 0) {
                throw new IllegalArgumentException("LmConfig.Builder needs the vocabulary size: call setVocabSize "
                        + "with the tokenizer's vocabSize().");
            }
            return new LmConfig(preset, vocabSize, dModel, layers, heads, mlpHidden, contextLength, tied, ropeTheta,
                    layerNormEps, initStd, ItemContentShape.NONE);
        }
    }
}
