package dev.mllmrec.grpo.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.mllmrec.core.lm.Sampling;
import dev.mllmrec.core.lm.sft.LrSchedule;
import dev.mllmrec.grpo.advantage.AdvantageEstimator;
import dev.mllmrec.grpo.advantage.GroupAdvantage;
import dev.mllmrec.grpo.loss.LossAggregation;
import dev.mllmrec.grpo.loss.PolicyLossConfig;
import java.util.Objects;

/**
 * The settings of a GRPO run. Immutable; build with {@link #builder()}; recorded in every checkpoint and summary.
 * Defaults are the MLLMRec-R1 reference values where the paper gives one (G = 8, temperature 0.9, top-p 0.9,
 * β = 0.1, ε = 0.2) and laptop-sized values elsewhere.
 *
 * @param promptsPerStep         prompts per generation batch (each optimizer step sees {@code promptsPerStep * G}
 *                               completions)
 * @param numGenerations         G, completions per prompt
 * @param temperature            sampling temperature
 * @param topP                   nucleus sampling threshold
 * @param maxCompletionTokens    the completion-token budget (the stop token included); also Dr. GRPO's constant
 * @param constrainToCandidates  only the prompt's candidate item tokens may be generated (off in the reference);
 *                               with the trainer's prompt builder, the chosen candidate's answer line is forced after
 *                               its item token and left out of the loss
 * @param beta                   KL weight; 0 skips the reference forward pass
 * @param epsilonLow             lower clip epsilon
 * @param epsilonHigh            upper clip epsilon
 * @param lossAggregation        grpo, dapo or dr_grpo
 * @param advantageEstimator     how group rewards become advantages
 * @param advantageEpsilon       added to the group standard deviation
 * @param policyUpdates          μ, optimizer steps per generation batch (importance ratios from the second on)
 * @param gradientAccumulation   micro-batches per optimizer step (the generation batch is split by prompts)
 * @param maxGradNorm            global gradient-norm clipping (0: none)
 * @param learningRate           AdamW's peak learning rate
 * @param lrSchedule             the decay after warm-up
 * @param warmupFraction         the share of steps spent warming up
 * @param minLrRatio             the final learning rate as a fraction of the peak
 * @param weightDecay            AdamW's decoupled weight decay
 * @param adamBeta1              AdamW's first-moment decay
 * @param adamBeta2              AdamW's second-moment decay
 * @param adamEpsilon            AdamW's epsilon
 * @param epochs                 passes over the prompts (ignored when {@code maxSteps > 0})
 * @param maxSteps               generation steps to run (0: {@code epochs} passes)
 * @param seed                   seeds the prompt order and every rollout
 * @param validateEverySteps     validation every so many steps (0: only at the end)
 * @param validateAtStart        validate the initial policy before the first step (the baseline)
 * @param checkpointEverySteps   a {@code latest} checkpoint every so many steps (0: only at validations and the end)
 * @param selectionMetric        the validation metric that picks the {@code best} checkpoint (higher is better)
 * @param rankedList             k, the length of the ranked candidate list each completion draws at its item
 *                               decision (needs {@code constrainToCandidates}); 1 is the reference's single answer.
 *                               With k &gt; 1 each completion is a Plackett-Luce draw of k candidates (its first is
 *                               the generated answer), its log-probability is the list's, and a target ranked
 *                               {@code j}-th ({@code j >= 1}, 0-based) earns the reward's hit-miss gap discounted
 *                               by {@code 1 / log2(j + 2)}, so the expected reward is an affine NDCG@k of the
 *                               policy's ranking: see {@code RankedLists}
 */
public record GrpoConfig(int promptsPerStep, int numGenerations, double temperature, double topP,
                         int maxCompletionTokens, boolean constrainToCandidates, double beta, double epsilonLow,
                         double epsilonHigh, LossAggregation lossAggregation, AdvantageEstimator advantageEstimator,
                         double advantageEpsilon, int policyUpdates, int gradientAccumulation, double maxGradNorm,
                         double learningRate, LrSchedule lrSchedule, double warmupFraction, double minLrRatio,
                         double weightDecay, double adamBeta1, double adamBeta2, double adamEpsilon, int epochs,
                         int maxSteps, long seed, int validateEverySteps, boolean validateAtStart,
                         int checkpointEverySteps, String selectionMetric, int rankedList) {

    /** The default seed. */
    public static final long DEFAULT_SEED = 42L;

    /** Validates. */
    public GrpoConfig {
        require(promptsPerStep >= 1, "promptsPerStep must be at least 1, got " + promptsPerStep);
        require(numGenerations >= 2, "numGenerations must be at least 2 (a group of one has no relative "
                + "advantage), got " + numGenerations);
        require(temperature > 0 && Double.isFinite(temperature), "temperature must be positive (GRPO samples), got "
                + temperature);
        require(topP > 0 && topP <= 1, "topP must be in (0, 1], got " + topP);
        require(maxCompletionTokens >= 1, "maxCompletionTokens must be at least 1, got " + maxCompletionTokens);
        require(beta >= 0 && Double.isFinite(beta), "beta must be finite and >= 0, got " + beta);
        require(epsilonLow >= 0 && epsilonLow < 1, "epsilonLow must be in [0, 1), got " + epsilonLow);
        require(epsilonHigh >= 0 && Double.isFinite(epsilonHigh), "epsilonHigh must be finite and >= 0, got "
                + epsilonHigh);
        require(lossAggregation != null, "lossAggregation is required");
        require(advantageEstimator != null, "advantageEstimator is required");
        require(advantageEpsilon > 0 && Double.isFinite(advantageEpsilon), "advantageEpsilon must be positive, got "
                + advantageEpsilon);
        require(policyUpdates >= 1, "policyUpdates (mu) must be at least 1, got " + policyUpdates);
        require(gradientAccumulation >= 1 && gradientAccumulation <= promptsPerStep, "gradientAccumulation must be "
                + "in [1, promptsPerStep = " + promptsPerStep + "], got " + gradientAccumulation);
        require(maxGradNorm >= 0, "maxGradNorm must be >= 0, got " + maxGradNorm);
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate must be positive, got "
                + learningRate);
        require(lrSchedule != null, "lrSchedule is required");
        require(warmupFraction >= 0 && warmupFraction < 1, "warmupFraction must be in [0, 1), got "
                + warmupFraction);
        require(minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio must be in [0, 1], got " + minLrRatio);
        require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        require(adamBeta1 >= 0 && adamBeta1 < 1, "adamBeta1 must be in [0, 1), got " + adamBeta1);
        require(adamBeta2 >= 0 && adamBeta2 < 1, "adamBeta2 must be in [0, 1), got " + adamBeta2);
        require(adamEpsilon > 0, "adamEpsilon must be positive, got " + adamEpsilon);
        require(epochs >= 1, "epochs must be at least 1, got " + epochs);
        require(maxSteps >= 0, "maxSteps must be >= 0 (0: run by epochs), got " + maxSteps);
        require(validateEverySteps >= 0, "validateEverySteps must be >= 0, got " + validateEverySteps);
        require(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0, got " + checkpointEverySteps);
        require(selectionMetric != null && !selectionMetric.isBlank(), "selectionMetric must be a metric name");
        require(rankedList >= 1, "rankedList must be at least 1, got " + rankedList);
        require(rankedList == 1 || constrainToCandidates, "a ranked list of " + rankedList + " candidates needs "
                + "constrainToCandidates");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid GrpoConfig: " + message + ".");
        }
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The ranked-list length k of the recipe (see {@link #recommended()}). */
    public static final int RECOMMENDED_RANKED_LIST = 3;
    /**
     * The number of steps of the recipe: about two passes over the 1,150 held-out MovieLens windows at 4 prompts a
     * step. From the same SFT checkpoints (seeds 42-44) 600 steps beat 300 on every headline mean (test HR@3 / NDCG@3
     * 0.868 / 0.748 against 0.863 / 0.743 at 9 negatives, HR@3 / NDCG@10 0.420 / 0.430 against 0.413 / 0.426 at 99)
     * and the best validation came at step 375-475; 8 prompts a step or 1,200 steps did no better
     * ({@code docs/item-content-default.md}).
     */
    public static final int RECOMMENDED_STEPS = 600;

    /**
     * A builder holding the recipe behind the README's numbers ({@code pipeline}'s {@code train-grpo}): 600 steps
     * of 4 prompts x 8 completions, learning rate 1e-4, rollouts constrained to the prompt's candidates, each
     * completion a ranked list of {@value #RECOMMENDED_RANKED_LIST} candidates, validation and a checkpoint every
     * 25 steps. The plain {@link #builder()} defaults are the reference's unconstrained single answers run by
     * epochs. Over four GRPO seeds from the same SFT policy (MovieLens, test split), lists of 3 and single answers
     * improved on SFT alike at 9 negatives and lists did better at 99 negatives on every seed (HR@3 0.346 vs
     * 0.336 on average).
     */
    public static Builder recommendedBuilder() {
        return builder().optLearningRate(1e-4).optConstrainToCandidates(true).optRankedList(RECOMMENDED_RANKED_LIST)
                .optMaxSteps(RECOMMENDED_STEPS).optValidateEverySteps(25).optCheckpointEverySteps(25);
    }

    /** {@link #recommendedBuilder()} built (seed 42). */
    public static GrpoConfig recommended() {
        return recommendedBuilder().build();
    }

    /** The rollout's sampling strategy. */
    @JsonIgnore
    public Sampling sampling() {
        return Sampling.topP(temperature, topP);
    }

    /** The policy-loss settings. */
    @JsonIgnore
    public PolicyLossConfig policyLossConfig() {
        return PolicyLossConfig.builder()
                .optEpsilonLow(epsilonLow)
                .optEpsilonHigh(epsilonHigh)
                .optBeta(beta)
                .optAggregation(lossAggregation)
                .optMaxCompletionLength(maxCompletionTokens)
                .build();
    }

    /** The advantage estimator over groups of {@code numGenerations}. */
    @JsonIgnore
    public GroupAdvantage groupAdvantage() {
        return GroupAdvantage.builder()
                .setGroupSize(numGenerations)
                .optEstimator(advantageEstimator)
                .optEpsilon(advantageEpsilon)
                .build();
    }

    /** The number of generation steps for {@code prompts} training prompts. */
    public long totalSteps(int prompts) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        return ((long) prompts * epochs + promptsPerStep - 1) / promptsPerStep;
    }

    /** A builder preset with this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.promptsPerStep = promptsPerStep;
        b.numGenerations = numGenerations;
        b.temperature = temperature;
        b.topP = topP;
        b.maxCompletionTokens = maxCompletionTokens;
        b.constrainToCandidates = constrainToCandidates;
        b.beta = beta;
        b.epsilonLow = epsilonLow;
        b.epsilonHigh = epsilonHigh;
        b.lossAggregation = lossAggregation;
        b.advantageEstimator = advantageEstimator;
        b.advantageEpsilon = advantageEpsilon;
        b.policyUpdates = policyUpdates;
        b.gradientAccumulation = gradientAccumulation;
        b.maxGradNorm = maxGradNorm;
        b.learningRate = learningRate;
        b.lrSchedule = lrSchedule;
        b.warmupFraction = warmupFraction;
        b.minLrRatio = minLrRatio;
        b.weightDecay = weightDecay;
        b.adamBeta1 = adamBeta1;
        b.adamBeta2 = adamBeta2;
        b.adamEpsilon = adamEpsilon;
        b.epochs = epochs;
        b.maxSteps = maxSteps;
        b.rankedList = rankedList;
        b.seed = seed;
        b.validateEverySteps = validateEverySteps;
        b.validateAtStart = validateAtStart;
        b.checkpointEverySteps = checkpointEverySteps;
        b.selectionMetric = selectionMetric;
        return b;
    }

    /** Builds a {@link GrpoConfig}; every setting has a default. Not thread-safe. */
    public static final class Builder {
        private int promptsPerStep = 4;
        private int numGenerations = 8;
        private double temperature = 0.9;
        private double topP = 0.9;
        private int maxCompletionTokens = 24;
        private boolean constrainToCandidates;
        private double beta = PolicyLossConfig.DEFAULT_BETA;
        private double epsilonLow = PolicyLossConfig.DEFAULT_EPSILON;
        private double epsilonHigh = PolicyLossConfig.DEFAULT_EPSILON;
        private LossAggregation lossAggregation = LossAggregation.GRPO;
        private AdvantageEstimator advantageEstimator = AdvantageEstimator.GRPO;
        private double advantageEpsilon = GroupAdvantage.DEFAULT_EPSILON;
        private int policyUpdates = 1;
        private int gradientAccumulation = 1;
        private double maxGradNorm = 1.0;
        private double learningRate = 1e-4;
        private LrSchedule lrSchedule = LrSchedule.CONSTANT;
        private double warmupFraction = 0.0;
        private double minLrRatio = 0.1;
        private double weightDecay = 0.0;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.99;
        private double adamEpsilon = 1e-8;
        private int epochs = 1;
        private int maxSteps = 0;
        private long seed = DEFAULT_SEED;
        private int validateEverySteps = 25;
        private boolean validateAtStart = true;
        private int checkpointEverySteps = 25;
        private String selectionMetric = "HR@3";
        private int rankedList = 1;

        private Builder() {
        }

        /** Prompts per generation batch (default 4). */
        public Builder optPromptsPerStep(int v) {
            promptsPerStep = v;
            return this;
        }

        /** G, completions per prompt (default 8). */
        public Builder optNumGenerations(int v) {
            numGenerations = v;
            return this;
        }

        /** Sampling temperature (default 0.9). */
        public Builder optTemperature(double v) {
            temperature = v;
            return this;
        }

        /** Nucleus threshold (default 0.9). */
        public Builder optTopP(double v) {
            topP = v;
            return this;
        }

        /** Completion-token budget (default 24). */
        public Builder optMaxCompletionTokens(int v) {
            maxCompletionTokens = v;
            return this;
        }

        /** Constrain generation to the candidates (default false, as the reference). */
        public Builder optConstrainToCandidates(boolean v) {
            constrainToCandidates = v;
            return this;
        }

        /** KL weight β (default 0.1). */
        public Builder optBeta(double v) {
            beta = v;
            return this;
        }

        /** Both clip epsilons (default 0.2). */
        public Builder optEpsilon(double v) {
            epsilonLow = v;
            epsilonHigh = v;
            return this;
        }

        /** Lower clip epsilon (default 0.2). */
        public Builder optEpsilonLow(double v) {
            epsilonLow = v;
            return this;
        }

        /** Upper clip epsilon (default 0.2). */
        public Builder optEpsilonHigh(double v) {
            epsilonHigh = v;
            return this;
        }

        /** Loss aggregation (default grpo). */
        public Builder optLossAggregation(LossAggregation v) {
            lossAggregation = Objects.requireNonNull(v, "lossAggregation");
            return this;
        }

        /** Advantage estimator (default GRPO: group mean and std). */
        public Builder optAdvantageEstimator(AdvantageEstimator v) {
            advantageEstimator = Objects.requireNonNull(v, "advantageEstimator");
            return this;
        }

        /** Epsilon added to the group std (default 1e-4). */
        public Builder optAdvantageEpsilon(double v) {
            advantageEpsilon = v;
            return this;
        }

        /** μ, optimizer steps per generation batch (default 1). */
        public Builder optPolicyUpdates(int v) {
            policyUpdates = v;
            return this;
        }

        /** Micro-batches per optimizer step (default 1). */
        public Builder optGradientAccumulation(int v) {
            gradientAccumulation = v;
            return this;
        }

        /** Gradient-norm clipping (default 1.0; 0: none). */
        public Builder optMaxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        /** Peak learning rate (default 1e-4). */
        public Builder optLearningRate(double v) {
            learningRate = v;
            return this;
        }

        /** Learning-rate schedule (default constant). */
        public Builder optLrSchedule(LrSchedule v) {
            lrSchedule = Objects.requireNonNull(v, "lrSchedule");
            return this;
        }

        /** Warm-up share of the steps (default 0). */
        public Builder optWarmupFraction(double v) {
            warmupFraction = v;
            return this;
        }

        /** Final over peak learning rate for decaying schedules (default 0.1). */
        public Builder optMinLrRatio(double v) {
            minLrRatio = v;
            return this;
        }

        /** AdamW weight decay (default 0, as TRL). */
        public Builder optWeightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** AdamW betas (default 0.9, 0.99). */
        public Builder optAdamBetas(double b1, double b2) {
            adamBeta1 = b1;
            adamBeta2 = b2;
            return this;
        }

        /** AdamW epsilon (default 1e-8). */
        public Builder optAdamEpsilon(double v) {
            adamEpsilon = v;
            return this;
        }

        /** Passes over the prompts when {@code maxSteps} is 0 (default 1). */
        public Builder optEpochs(int v) {
            epochs = v;
            return this;
        }

        /** Generation steps to run (default 0: by epochs). */
        public Builder optMaxSteps(int v) {
            maxSteps = v;
            return this;
        }

        /** The seed (default 42). */
        public Builder optSeed(long v) {
            seed = v;
            return this;
        }

        /** Validation every so many steps (default 25; 0: only at the end). */
        public Builder optValidateEverySteps(int v) {
            validateEverySteps = v;
            return this;
        }

        /** Validate the initial policy first (default true). */
        public Builder optValidateAtStart(boolean v) {
            validateAtStart = v;
            return this;
        }

        /** A {@code latest} checkpoint every so many steps (default 25). */
        public Builder optCheckpointEverySteps(int v) {
            checkpointEverySteps = v;
            return this;
        }

        /**
         * k, candidates drawn as a ranked list per completion (default 1, the reference's single answer; above 1
         * needs {@link #optConstrainToCandidates}).
         */
        public Builder optRankedList(int k) {
            rankedList = k;
            return this;
        }

        /** The validation metric that selects the best checkpoint (default {@code HR@3}). */
        public Builder optSelectionMetric(String v) {
            selectionMetric = v;
            return this;
        }

        /** Validates and builds. */
        public GrpoConfig build() {
            GrpoConfig c = new GrpoConfig(promptsPerStep, numGenerations, temperature, topP, maxCompletionTokens,
                    constrainToCandidates, beta, epsilonLow, epsilonHigh, lossAggregation, advantageEstimator,
                    advantageEpsilon, policyUpdates, gradientAccumulation, maxGradNorm, learningRate, lrSchedule,
                    warmupFraction, minLrRatio, weightDecay, adamBeta1, adamBeta2, adamEpsilon, epochs, maxSteps,
                    seed, validateEverySteps, validateAtStart, checkpointEverySteps, selectionMetric, rankedList);
            c.policyLossConfig();
            c.groupAdvantage();
            return c;
        }
    }
}
