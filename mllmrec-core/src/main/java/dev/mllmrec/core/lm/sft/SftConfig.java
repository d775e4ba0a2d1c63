package dev.mllmrec.core.lm.sft;

/**
 * Supervised fine-tuning settings. Immutable; build with {@link #builder()}; recorded in every checkpoint.
 *
 * @param epochs                passes over the training examples
 * @param batchSize             sequences per micro-batch
 * @param gradientAccumulation  micro-batches per optimizer step
 * @param learningRate          the peak learning rate
 * @param warmupFraction        the share of optimizer steps spent warming up linearly
 * @param schedule              the decay after warm-up
 * @param minLrRatio            the final learning rate as a fraction of the peak
 * @param weightDecay           AdamW's decoupled weight decay (applied to matrices, not to biases and norms)
 * @param beta1                 AdamW's first-moment decay
 * @param beta2                 AdamW's second-moment decay
 * @param epsilon               AdamW's epsilon
 * @param maxGradNorm           the global gradient norm is clipped to this (0: no clipping)
 * @param lossScope             which tokens the loss covers
 * @param answerEnd             the token appended after each answer
 * @param maxSequenceLength     longer examples lose prompt tokens from the left (0: the model's context length)
 * @param seed                  the seed of the data order
 * @param checkpointEverySteps  a checkpoint every so many optimizer steps (0: only at epoch ends)
 * @param keepCheckpoints       how many checkpoints to keep (the newest)
 * @param logEverySteps         a metrics line every so many optimizer steps
 * @param dropout               the dropout rate of training forward passes (0: none); masks are seeded per step
 * @param sampledNegatives      0: the loss is cross-entropy over the whole vocabulary; k &gt; 0: an item target of an
 *                              open-ended example ({@link SftExample#openEnded()}, an item-sequence window) gets a
 *                              sampled softmax over itself and k tokens drawn uniformly from the trainer's negative
 *                              pool (the objective of SASRec-style training against uniform negatives); every other
 *                              target (complete answers, title words, end of sequence) keeps the full softmax, so
 *                              that the distribution generation samples from stays calibrated; {@link #ALL_POOL}
 *                              (-1): the exact softmax of such a target over every token of the pool (all items, the
 *                              user's own included: SASRec's full-softmax cross-entropy)
 * @param textNegatives         0: every target of an open-ended example that {@code sampledNegatives} leaves out
 *                              (the separators between a window's item tokens) gets the softmax over the whole
 *                              vocabulary; m &gt; 0: those targets share one sampled softmax per micro-batch over the
 *                              micro-batch's distinct such targets plus m tokens drawn uniformly from the whole
 *                              vocabulary, so that a pre-training step's cost no longer grows with the vocabulary.
 *                              Complete answers keep the full softmax either way (generation samples from it)
 * @param poolSoftmaxWeight     0: an item target under a sampled softmax ({@code sampledNegatives} &gt; 0) gets that
 *                              loss alone; w &gt; 0: plus w times the exact softmax over the whole negative pool (the
 *                              {@link #ALL_POOL} loss). The sampled term treats every item alike as a negative, which
 *                              keeps rarely seen items up; the exact term ranks each target against every item, which
 *                              long candidate lists reward
 */
public record SftConfig(int epochs, int batchSize, int gradientAccumulation, double learningRate,
                        double warmupFraction, LrSchedule schedule, double minLrRatio, double weightDecay,
                        double beta1, double beta2, double epsilon, double maxGradNorm, LossScope lossScope,
                        AnswerEnd answerEnd, int maxSequenceLength, long seed, int checkpointEverySteps,
                        int keepCheckpoints, int logEverySteps, double dropout, int sampledNegatives,
                        int textNegatives, double poolSoftmaxWeight) {

    /** The default seed. */
    public static final long DEFAULT_SEED = 42L;
    /**
     * The {@link #poolSoftmaxWeight()} of {@link #recommendedBuilder()}: 9 sampled negatives plus half the exact
     * softmax over every item (see {@code docs/item-content-default.md}).
     */
    public static final double RECOMMENDED_POOL_SOFTMAX_WEIGHT = 0.5;
    /** {@link #sampledNegatives()}: item targets get the exact softmax over the whole negative pool. */
    public static final int ALL_POOL = -1;

    /** Validates. */
    public SftConfig {
        require(epochs >= 1, "epochs must be at least 1, got " + epochs);
        require(batchSize >= 1, "batchSize must be at least 1, got " + batchSize);
        require(gradientAccumulation >= 1, "gradientAccumulation must be at least 1, got " + gradientAccumulation);
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate must be positive, got "
                + learningRate);
        require(warmupFraction >= 0 && warmupFraction < 1, "warmupFraction must be in [0, 1), got "
                + warmupFraction);
        require(schedule != null, "schedule is required");
        require(minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio must be in [0, 1], got " + minLrRatio);
        require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
        require(epsilon > 0, "epsilon must be positive, got " + epsilon);
        require(maxGradNorm >= 0, "maxGradNorm must be >= 0, got " + maxGradNorm);
        require(lossScope != null, "lossScope is required");
        require(answerEnd != null, "answerEnd is required");
        require(maxSequenceLength >= 0, "maxSequenceLength must be >= 0, got " + maxSequenceLength);
        require(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0, got " + checkpointEverySteps);
        require(keepCheckpoints >= 1, "keepCheckpoints must be at least 1, got " + keepCheckpoints);
        require(logEverySteps >= 1, "logEverySteps must be at least 1, got " + logEverySteps);
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
        require(sampledNegatives >= ALL_POOL, "sampledNegatives must be >= 0 or ALL_POOL (-1), got "
                + sampledNegatives);
        require(textNegatives >= 0, "textNegatives must be >= 0, got " + textNegatives);
        require(poolSoftmaxWeight >= 0 && Double.isFinite(poolSoftmaxWeight), "poolSoftmaxWeight must be >= 0, got "
                + poolSoftmaxWeight);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid SftConfig: " + message + ".");
        }
    }

    /** A builder with the defaults for the {@code small} model on a laptop. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding the recipe behind the README's numbers (both SFT phases of {@code pipeline}): SASRec's
     * optimizer (a constant learning rate of 1e-3, Adam's beta2 at 0.98, no warm-up, no gradient clipping, no weight
     * decay), batches of 128, dropout 0.3, a sampled softmax against 9 uniform negatives for item-sequence windows
     * plus half the exact softmax over the whole pool ({@link #RECOMMENDED_POOL_SOFTMAX_WEIGHT}), 3 epochs. Under
     * this optimizer the sequence model kept improving for tens of epochs instead of peaking after a few (validation
     * HR@3 0.83 against 0.79 with the {@link #builder()} defaults: warm-up, cosine decay, clipping and decay).
     */
    public static Builder recommendedBuilder() {
        return builder().optSchedule(LrSchedule.CONSTANT).optWarmupFraction(0).optBetas(0.9, 0.98).optMaxGradNorm(0)
                .optWeightDecay(0).optEpochs(3).optBatchSize(128).optLearningRate(1e-3).optDropout(0.3)
                .optSampledNegatives(9).optPoolSoftmaxWeight(RECOMMENDED_POOL_SOFTMAX_WEIGHT);
    }

    /** The prompt phase of {@code pipeline}'s SFT: {@link #recommendedBuilder()} built, seed 42. */
    public static SftConfig recommended() {
        return recommendedBuilder().build();
    }

    /** Builds an {@link SftConfig}; every setting has a default. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 16;
        private int gradientAccumulation = 1;
        private double learningRate = 1e-3;
        private double warmupFraction = 0.03;
        private LrSchedule schedule = LrSchedule.COSINE;
        private double minLrRatio = 0.1;
        private double weightDecay = 0.01;
        private double beta1 = 0.9;
        private double beta2 = 0.95;
        private double epsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private LossScope lossScope = LossScope.ANSWER;
        private AnswerEnd answerEnd = AnswerEnd.EOS;
        private int maxSequenceLength = 0;
        private long seed = DEFAULT_SEED;
        private int checkpointEverySteps = 500;
        private int keepCheckpoints = 2;
        private int logEverySteps = 10;
        private double dropout = 0.0;
        private int sampledNegatives = 0;
        private int textNegatives = 0;
        private double poolSoftmaxWeight = 0;

        private Builder() {
        }

        /** Passes over the data (default 1). */
        public Builder optEpochs(int v) {
            epochs = v;
            return this;
        }

        /** Sequences per micro-batch (default 16). */
        public Builder optBatchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Micro-batches per optimizer step (default 1). */
        public Builder optGradientAccumulation(int v) {
            gradientAccumulation = v;
            return this;
        }

        /** The peak learning rate (default 1e-3). */
        public Builder optLearningRate(double v) {
            learningRate = v;
            return this;
        }

        /** The warm-up share of the optimizer steps (default 0.03). */
        public Builder optWarmupFraction(double v) {
            warmupFraction = v;
            return this;
        }

        /** The decay (default cosine). */
        public Builder optSchedule(LrSchedule v) {
            schedule = v;
            return this;
        }

        /** The final learning rate over the peak (default 0.1). */
        public Builder optMinLrRatio(double v) {
            minLrRatio = v;
            return this;
        }

        /** AdamW's weight decay (default 0.01). */
        public Builder optWeightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** AdamW's betas (default 0.9, 0.95). */
        public Builder optBetas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        /** AdamW's epsilon (default 1e-8). */
        public Builder optEpsilon(double v) {
            epsilon = v;
            return this;
        }

        /** Global gradient-norm clipping (default 1.0; 0 turns it off). */
        public Builder optMaxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        /** The tokens the loss covers (default the answer). */
        public Builder optLossScope(LossScope v) {
            lossScope = v;
            return this;
        }

        /** The token after each answer (default {@code <eos>}). */
        public Builder optAnswerEnd(AnswerEnd v) {
            answerEnd = v;
            return this;
        }

        /** The longest training sequence (default 0: the model's context length). */
        public Builder optMaxSequenceLength(int v) {
            maxSequenceLength = v;
            return this;
        }

        /** The seed of the data order (default 42). */
        public Builder optSeed(long v) {
            seed = v;
            return this;
        }

        /** A checkpoint every so many optimizer steps (default 500; 0: epoch ends only). */
        public Builder optCheckpointEverySteps(int v) {
            checkpointEverySteps = v;
            return this;
        }

        /** How many checkpoints to keep (default 2). */
        public Builder optKeepCheckpoints(int v) {
            keepCheckpoints = v;
            return this;
        }

        /** A metrics line every so many optimizer steps (default 10). */
        public Builder optLogEverySteps(int v) {
            logEverySteps = v;
            return this;
        }

        /** The dropout rate of training forward passes (default 0: none). */
        public Builder optDropout(double v) {
            dropout = v;
            return this;
        }

        /**
         * A sampled softmax over each target and {@code k} uniformly drawn negatives instead of the full vocabulary
         * (default 0: full vocabulary), or {@link SftConfig#ALL_POOL} for the exact softmax over the whole pool; the
         * trainer then needs a negative pool.
         */
        public Builder optSampledNegatives(int k) {
            sampledNegatives = k;
            return this;
        }

        /**
         * A shared sampled softmax for the non-item targets of open-ended examples, over each micro-batch's distinct
         * such targets and {@code m} tokens drawn uniformly from the whole vocabulary (default 0: the full softmax).
         */
        public Builder optTextNegatives(int m) {
            textNegatives = m;
            return this;
        }

        /**
         * With a sampled softmax ({@link #optSampledNegatives} k &gt; 0), adds {@code w} times the exact softmax over
         * the whole negative pool to each item target's loss (default 0: the sampled softmax alone).
         */
        public Builder optPoolSoftmaxWeight(double w) {
            poolSoftmaxWeight = w;
            return this;
        }

        /** Validates and builds. */
        public SftConfig build() {
            return new SftConfig(epochs, batchSize, gradientAccumulation, learningRate, warmupFraction, schedule,
                    minLrRatio, weightDecay, beta1, beta2, epsilon, maxGradNorm, lossScope, answerEnd,
                    maxSequenceLength, seed, checkpointEverySteps, keepCheckpoints, logEverySteps, dropout, sampledNegatives,
                    textNegatives, poolSoftmaxWeight);
        }
    }
}
