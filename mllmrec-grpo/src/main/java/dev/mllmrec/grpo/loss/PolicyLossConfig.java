package dev.mllmrec.grpo.loss;

import java.util.Objects;

/**
 * The settings of the clipped-surrogate GRPO loss. Immutable once built; thread-safe.
 *
 * <p>Per token, with {@code ratio = exp(logp - old_logp)}, advantage {@code A} of the token's sequence,
 * {@code d = ref_logp - logp}:
 * <pre>
 *   l = -min(ratio * A, clip(ratio, 1 - epsilonLow, 1 + epsilonHigh) * A) + beta * (exp(d) - d - 1)
 * </pre>
 * (the KL term is Schulman's k3 estimator of KL(policy || reference)); the per-token losses are then aggregated by
 * {@link LossAggregation}.
 */
public final class PolicyLossConfig {

    /** The reference clip epsilon, 0.2. */
    public static final double DEFAULT_EPSILON = 0.2;

    /** The reference KL weight, 0.1 (MLLMRec-R1's MovieLens setting; TRL's own default is 0). */
    public static final double DEFAULT_BETA = 0.1;

    private final double epsilonLow;
    private final double epsilonHigh;
    private final double beta;
    private final LossAggregation aggregation;
    private final int maxCompletionLength;

    private PolicyLossConfig(Builder b) {
        this.epsilonLow = b.epsilonLow;
        this.epsilonHigh = b.epsilonHigh;
        this.beta = b.beta;
        this.aggregation = b.aggregation;
        this.maxCompletionLength = b.maxCompletionLength;
    }

    /** A builder with the reference defaults (ε 0.2 both sides, β 0.1, {@link LossAggregation#GRPO}). */
    public static Builder builder() {
        return new Builder();
    }

    /** The lower clip bound is {@code 1 - epsilonLow}. */
    public double epsilonLow() {
        return epsilonLow;
    }

    /** The upper clip bound is {@code 1 + epsilonHigh}. */
    public double epsilonHigh() {
        return epsilonHigh;
    }

    /** The weight of the KL penalty; 0 disables it (reference log-probs are then not needed). */
    public double beta() {
        return beta;
    }

    /** How per-token losses are aggregated. */
    public LossAggregation aggregation() {
        return aggregation;
    }

    /** The constant completion length of {@link LossAggregation#DR_GRPO}; 0 when unset. */
    public int maxCompletionLength() {
        return maxCompletionLength;
    }

    /** The lower clip bound as the {@code float} the arithmetic uses. */
    float lowerBound() {
        return (float) (1.0 - epsilonLow);
    }

    /** The upper clip bound as the {@code float} the arithmetic uses. */
    float upperBound() {
        return (float) (1.0 + epsilonHigh);
    }

    @Override
    public String toString() {
        return "PolicyLossConfig[epsilonLow=" + epsilonLow + ", epsilonHigh=" + epsilonHigh + ", beta=" + beta
                + ", aggregation=" + aggregation + ", maxCompletionLength=" + maxCompletionLength + "]";
    }

    /** Builds a {@link PolicyLossConfig}. Not thread-safe. */
    public static final class Builder {
        private double epsilonLow = DEFAULT_EPSILON;
        private double epsilonHigh = DEFAULT_EPSILON;
        private double beta = DEFAULT_BETA;
        private LossAggregation aggregation = LossAggregation.GRPO;
        private int maxCompletionLength;

        private Builder() {
        }

        /** Sets both clip epsilons (default 0.2). */
        public Builder optEpsilon(double epsilon) {
            this.epsilonLow = epsilon;
            this.epsilonHigh = epsilon;
            return this;
        }

        /** The lower clip epsilon (default 0.2). */
        public Builder optEpsilonLow(double epsilon) {
            this.epsilonLow = epsilon;
            return this;
        }

        /** The upper clip epsilon (default 0.2; DAPO's clip-higher uses e.g. 0.28). */
        public Builder optEpsilonHigh(double epsilon) {
            this.epsilonHigh = epsilon;
            return this;
        }

        /** The KL weight (default 0.1). */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /** The aggregation (default {@link LossAggregation#GRPO}). */
        public Builder optAggregation(LossAggregation aggregation) {
            this.aggregation = Objects.requireNonNull(aggregation, "aggregation");
            return this;
        }

        /** The maximum completion length; required for {@link LossAggregation#DR_GRPO}, ignored otherwise. */
        public Builder optMaxCompletionLength(int length) {
            this.maxCompletionLength = length;
            return this;
        }

        /** Validates and builds. */
        public PolicyLossConfig build() {
            if (!(epsilonLow >= 0.0 && epsilonLow < 1.0)) {
                throw new IllegalArgumentException("The lower clip epsilon must be in [0, 1), got " + epsilonLow
                        + ".");
            }
            if (!(epsilonHigh >= 0.0) || Double.isInfinite(epsilonHigh)) {
                throw new IllegalArgumentException("The upper clip epsilon must be finite and zero or more, got "
                        + epsilonHigh + ".");
            }
            if (!(beta >= 0.0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("The KL weight beta must be finite and zero or more, got " + beta
                        + ".");
            }
            if (aggregation == LossAggregation.DR_GRPO && maxCompletionLength < 1) {
                throw new IllegalArgumentException("The DR_GRPO aggregation divides by a constant maximum completion"
                        + " length; set it with optMaxCompletionLength (got " + maxCompletionLength + ").");
            }
            if (maxCompletionLength < 0) {
                throw new IllegalArgumentException("The maximum completion length must not be negative, got "
                        + maxCompletionLength + ".");
            }
            return new PolicyLossConfig(this);
        }
    }
}
