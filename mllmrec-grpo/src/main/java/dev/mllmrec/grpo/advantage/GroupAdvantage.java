package dev.mllmrec.grpo.advantage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.core.lm.Scalars;
import java.util.Objects;

/**
 * Computes group-relative advantages from rewards in group-major order (the {@code G} completions of prompt
 * {@code p} are at {@code p*G .. p*G+G-1}) with a named {@link AdvantageEstimator}.
 *
 * <p>{@link #compute(float[])} is the plain-Java reference: means and standard deviations are accumulated in
 * {@code double} and the results rounded to {@code float}. {@link #compute(NDArray)} is the vectorised DJL version,
 * computed in the rewards' data type; the two agree to float rounding. Immutable and thread-safe.
 */
public final class GroupAdvantage {

    /**
     * The default epsilon added to the standard deviation, {@code 1e-4}, TRL's value (verl uses {@code 1e-6}).
     * With the reference rewards (spacing 0.3 or more), any group that is not constant has a std of at least about
     * 0.1, so the choice changes advantages by at most 0.1%; constant groups are exactly 0 either way.
     */
    public static final double DEFAULT_EPSILON = 1e-4;

    private final int groupSize;
    private final AdvantageEstimator estimator;
    private final double epsilon;

    private GroupAdvantage(Builder b) {
        this.groupSize = b.groupSize;
        this.estimator = b.estimator;
        this.epsilon = b.epsilon;
    }

    /** A builder; the group size is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of completions per prompt (G). */
    public int groupSize() {
        return groupSize;
    }

    /** The estimator. */
    public AdvantageEstimator estimator() {
        return estimator;
    }

    /** The epsilon added to the standard deviation. */
    public double epsilon() {
        return epsilon;
    }

    /**
     * The plain-Java reference.
     *
     * @param rewards {@code B*G} rewards, group-major
     */
    public GroupAdvantages compute(float[] rewards) {
        Objects.requireNonNull(rewards, "rewards");
        int groups = checkLength(rewards.length);
        int g = groupSize;
        float[] adv = new float[rewards.length];
        float[] means = new float[groups];
        float[] stds = new float[groups];
        float[] scale = new float[groups];
        boolean[] constant = new boolean[groups];
        double[] meanD = new double[groups];
        double[] stdD = new double[groups];
        int zero = 0;
        for (int b = 0; b < groups; b++) {
            int off = b * g;
            double sum = 0;
            float min = rewards[off];
            float max = rewards[off];
            for (int i = 0; i < g; i++) {
                float r = rewards[off + i];
                if (!Float.isFinite(r)) {
                    throw new IllegalArgumentException("Reward " + (off + i) + " is " + r + "; rewards must be finite.");
                }
                sum += r;
                min = Math.min(min, r);
                max = Math.max(max, r);
            }
            double mean = sum / g;
            double ss = 0;
            for (int i = 0; i < g; i++) {
                double d = rewards[off + i] - mean;
                ss += d * d;
            }
            constant[b] = min == max;
            meanD[b] = mean;
            stdD[b] = constant[b] || g == 1 ? 0.0 : Math.sqrt(ss / (g - 1));
            means[b] = (float) mean;
            stds[b] = (float) stdD[b];
            if (constant[b]) {
                zero++;
            }
        }
        double batchStd = estimator == AdvantageEstimator.GRPO_BATCH_STD ? sampleStd(rewards) : 0.0;
        for (int b = 0; b < groups; b++) {
            double denom = switch (estimator) {
                case GRPO -> stdD[b] + epsilon;
                case GRPO_BATCH_STD -> batchStd + epsilon;
                case DR_GRPO -> 1.0;
            };
            scale[b] = (float) denom;
            int off = b * g;
            for (int i = 0; i < g; i++) {
                adv[off + i] = constant[b] ? 0f : (float) ((rewards[off + i] - meanD[b]) / denom);
            }
        }
        return new GroupAdvantages(adv, means, stds, scale, zero);
    }

    /**
     * The vectorised DJL version. The outputs are attached to the rewards' manager; none of them requires a
     * gradient.
     *
     * @param rewards shape {@code (B*G)} (or any shape with {@code B*G} elements), group-major
     */
    public DjlGroupAdvantages compute(NDArray rewards) {
        Objects.requireNonNull(rewards, "rewards");
        long n = rewards.size();
        int groups = checkLength(n);
        NDArray r = rewards.stopGradient().reshape(groups, groupSize);
        NDArray mean = r.mean(new int[] {1}, true);
        NDArray centred = r.sub(mean);
        NDArray constant = r.max(new int[] {1}, true).eq(r.min(new int[] {1}, true));
        NDArray std = groupSize == 1 ? centred.zerosLike().sum(new int[] {1}, true)
                : Scalars.div(centred.square().sum(new int[] {1}, true), groupSize - 1).sqrt();
        std = NDArrays.where(constant, std.zerosLike(), std);
        NDArray scaled = switch (estimator) {
            case GRPO -> centred.div(std.add(epsilon));
            case GRPO_BATCH_STD -> {
                NDArray flat = r.reshape(-1);
                NDArray batchStd = n < 2 ? flat.zerosLike().sum()
                        : Scalars.div(flat.sub(flat.mean()).square().sum(), n - 1).sqrt();
                yield centred.div(batchStd.add(epsilon));
            }
            case DR_GRPO -> centred;
        };
        NDArray adv = NDArrays.where(constant.broadcast(new Shape(groups, groupSize)), scaled.zerosLike(), scaled);
        return new DjlGroupAdvantages(adv.reshape(n), mean.reshape(groups), std.reshape(groups),
                constant.reshape(groups));
    }

    private int checkLength(long n) {
        if (n == 0 || n % groupSize != 0) {
            throw new IllegalArgumentException("Expected a positive multiple of the group size " + groupSize
                    + " rewards (B*G, group-major), got " + n + ".");
        }
        return Math.toIntExact(n / groupSize);
    }

    private static double sampleStd(float[] v) {
        if (v.length < 2) {
            return 0.0;
        }
        double s = 0;
        for (float x : v) {
            s += x;
        }
        double m = s / v.length;
        double ss = 0;
        for (float x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }

    @Override
    public String toString() {
        return "GroupAdvantage[groupSize=" + groupSize + ", estimator=" + estimator + ", epsilon=" + epsilon + "]";
    }

    /** Builds a {@link GroupAdvantage}. Not thread-safe. */
    public static final class Builder {
        private int groupSize;
        private AdvantageEstimator estimator = AdvantageEstimator.GRPO;
        private double epsilon = DEFAULT_EPSILON;

        private Builder() {
        }

        /** Required: the number of completions per prompt (G), 1 or more (1 makes every advantage 0). */
        public Builder setGroupSize(int groupSize) {
            this.groupSize = groupSize;
            return this;
        }

        /** The estimator (default {@link AdvantageEstimator#GRPO}). */
        public Builder optEstimator(AdvantageEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /** The epsilon added to the standard deviation (default {@link #DEFAULT_EPSILON}). */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Validates and builds. */
        public GroupAdvantage build() {
            if (groupSize < 1) {
                throw new IllegalArgumentException("The group size (completions per prompt) must be set to 1 or more,"
                        + " got " + groupSize + ".");
            }
            if (!(epsilon > 0.0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("The advantage epsilon must be finite and positive, got " + epsilon
                        + ".");
            }
            return new GroupAdvantage(this);
        }
    }
}
