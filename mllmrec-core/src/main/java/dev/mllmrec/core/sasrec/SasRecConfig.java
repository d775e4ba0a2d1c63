package dev.mllmrec.core.sasrec;

/**
 * The hyper-parameters of a SASRec model and its training run. Immutable once built; serialised verbatim into every
 * checkpoint so that a model records what produced it.
 *
 * <p>The defaults were chosen on the validation split of the MovieLens posters subset (575 users, 2,943 items) under
 * the 9-item-history protocol (seed 42). At 9 negatives the full-softmax loss and the paper's binary cross-entropy
 * tie on validation (HR@3 0.861 against 0.873, NDCG@3 0.753 against 0.751) and on test (HR@3 0.835 against 0.843,
 * NDCG@3 0.724 against 0.713); against 99 negatives the softmax ranks far better (test HR@3 0.402 against 0.357,
 * NDCG@10 0.415 against 0.367), so it is the default. Windows of 50 with a stride of 10 scored like windows of 10
 * (validation HR@3 0.856) at almost twice the time. See {@link Builder} for each value.
 *
 * @param maxLength       the number of most recent items the model reads; training windows have this length and
 *                        longer request histories are truncated to their last {@code maxLength} items
 * @param hiddenSize      the width of item embeddings and hidden states
 * @param blocks          the number of causal self-attention blocks
 * @param heads           the number of attention heads; must divide {@code hiddenSize}
 * @param dropout         the dropout rate on embeddings, attention weights and block outputs
 * @param learningRate    Adam's learning rate
 * @param l2              the weight of the item-embedding table's squared L2 norm added to the loss (0: off)
 * @param batchSize       training windows per step
 * @param epochs          passes over the training windows
 * @param windowStride    items between the ends of consecutive training windows cut from one user's sequence;
 *                        a stride at least as long as every sequence gives the paper's one window per user
 * @param negatives       sampled negatives per position in the binary cross-entropy loss (the paper uses 1)
 * @param seed            the seed of initialisation, window shuffling, negative sampling and dropout
 * @param loss            the training objective; {@code null} (a checkpoint written before the option existed)
 *                        reads as {@link SasRecLoss#BINARY_CROSS_ENTROPY}
 * @param windowsPerUser  at most this many training windows per user, the most recent ones (0: every window, as a
 *                        checkpoint written before the option existed reads)
 * @param cosineDecay     whether the learning rate decays from {@code learningRate} to 0 along a half cosine over
 *                        {@code epochs} (false: constant, as a checkpoint written before the option existed reads)
 */
public record SasRecConfig(int maxLength, int hiddenSize, int blocks, int heads, float dropout, float learningRate,
                           float l2, int batchSize, int epochs, int windowStride, int negatives, long seed,
                           SasRecLoss loss, int windowsPerUser, boolean cosineDecay) {

    /** The seed used when none is given. */
    public static final long DEFAULT_SEED = 42L;

    /** Validates every value, naming the bad one. */
    public SasRecConfig {
        if (loss == null) {
            loss = SasRecLoss.BINARY_CROSS_ENTROPY;
        }
        positive("maxLength", maxLength);
        positive("hiddenSize", hiddenSize);
        positive("blocks", blocks);
        positive("heads", heads);
        positive("batchSize", batchSize);
        positive("epochs", epochs);
        positive("windowStride", windowStride);
        positive("negatives", negatives);
        if (windowsPerUser < 0) {
            throw new IllegalArgumentException("SASRec windowsPerUser must be 0 (every window) or positive, got "
                    + windowsPerUser + ".");
        }
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException("SASRec hiddenSize " + hiddenSize + " is not divisible by heads "
                    + heads + ".");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("SASRec dropout must be in [0, 1), got " + dropout + ".");
        }
        if (!(learningRate > 0f) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("SASRec learningRate must be positive and finite, got "
                    + learningRate + ".");
        }
        if (!(l2 >= 0f) || Float.isInfinite(l2)) {
            throw new IllegalArgumentException("SASRec l2 must be non-negative and finite, got " + l2 + ".");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("SASRec " + name + " must be positive, got " + value + ".");
        }
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        return new Builder()
                .optMaxLength(maxLength).optHiddenSize(hiddenSize).optBlocks(blocks).optHeads(heads)
                .optDropout(dropout).optLearningRate(learningRate).optL2(l2).optBatchSize(batchSize)
                .optEpochs(epochs).optWindowStride(windowStride).optNegatives(negatives).optSeed(seed).optLoss(loss)
                .optWindowsPerUser(windowsPerUser).optCosineDecay(cosineDecay);
    }

    /** The defaults, as {@code builder().build()}. */
    public static SasRecConfig defaults() {
        return builder().build();
    }

    /** Builds a {@link SasRecConfig}; every value has a default, and {@link #build()} validates. */
    public static final class Builder {
        private int maxLength = 10;
        private int hiddenSize = 64;
        private int blocks = 2;
        private int heads = 1;
        private float dropout = 0.3f;
        private float learningRate = 1e-3f;
        private float l2 = 0f;
        private int batchSize = 128;
        private int epochs = 60;
        private int windowStride = 5;
        private int negatives = 1;
        private long seed = DEFAULT_SEED;
        private SasRecLoss loss = SasRecLoss.SOFTMAX_CROSS_ENTROPY;
        private int windowsPerUser = 0;
        private boolean cosineDecay = false;

        private Builder() {
        }

        /** Items the model reads (default 10: the protocol's 9-item history plus one). */
        public Builder optMaxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Embedding and hidden width (default 64). */
        public Builder optHiddenSize(int hiddenSize) {
            this.hiddenSize = hiddenSize;
            return this;
        }

        /** Self-attention blocks (default 2). */
        public Builder optBlocks(int blocks) {
            this.blocks = blocks;
            return this;
        }

        /** Attention heads (default 1). */
        public Builder optHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /** Dropout rate (default 0.3). */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        /** Adam's learning rate (default 1e-3). */
        public Builder optLearningRate(float learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** Weight of the squared L2 norm of the item embeddings in the loss (default 0). */
        public Builder optL2(float l2) {
            this.l2 = l2;
            return this;
        }

        /** Windows per step (default 128). */
        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Passes over the training windows (default 60; early stopping usually ends sooner). */
        public Builder optEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Items between consecutive window ends of one user (default 5). */
        public Builder optWindowStride(int windowStride) {
            this.windowStride = windowStride;
            return this;
        }

        /** Sampled negatives per position (default 1, as in the paper). */
        public Builder optNegatives(int negatives) {
            this.negatives = negatives;
            return this;
        }

        /** The seed (default {@link SasRecConfig#DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The training objective (default {@link SasRecLoss#SOFTMAX_CROSS_ENTROPY}). */
        public Builder optLoss(SasRecLoss loss) {
            this.loss = java.util.Objects.requireNonNull(loss, "loss");
            return this;
        }

        /** At most this many windows per user, the most recent (default 0: every window). */
        public Builder optWindowsPerUser(int windowsPerUser) {
            this.windowsPerUser = windowsPerUser;
            return this;
        }

        /** Whether the learning rate decays to 0 along a half cosine over the epochs (default false: constant). */
        public Builder optCosineDecay(boolean cosineDecay) {
            this.cosineDecay = cosineDecay;
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the first invalid value
         */
        public SasRecConfig build() {
            return new SasRecConfig(maxLength, hiddenSize, blocks, heads, dropout, learningRate, l2, batchSize,
                    epochs, windowStride, negatives, seed, loss, windowsPerUser, cosineDecay);
        }
    }
}
