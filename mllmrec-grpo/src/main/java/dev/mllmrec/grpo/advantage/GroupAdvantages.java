package dev.mllmrec.grpo.advantage;

/**
 * The advantages of a batch of groups and the group statistics behind them.
 *
 * @param advantages         one per completion, group-major (same order as the rewards)
 * @param groupMeans         mean reward of each group
 * @param groupStds          sample standard deviation of each group's rewards (0 for a zero-variance group or
 *                           a group of one), whatever the estimator, for logging
 * @param scale              the denominator used for group {@code g} is {@code scale[g]} ({@code std + eps},
 *                           or 1 for {@link AdvantageEstimator#DR_GRPO})
 * @param zeroVarianceGroups how many groups had all rewards equal (and therefore zero advantage)
 */
public record GroupAdvantages(float[] advantages, float[] groupMeans, float[] groupStds, float[] scale,
                              int zeroVarianceGroups) {

    /** Copies. */
    public GroupAdvantages {
        advantages = advantages.clone();
        groupMeans = groupMeans.clone();
        groupStds = groupStds.clone();
        scale = scale.clone();
    }

    /** A copy of the advantages. */
    @Override
    public float[] advantages() {
        return advantages.clone();
    }

    /** A copy of the group means. */
    @Override
    public float[] groupMeans() {
        return groupMeans.clone();
    }

    /** A copy of the group standard deviations. */
    @Override
    public float[] groupStds() {
        return groupStds.clone();
    }

    /** A copy of the per-group denominators. */
    @Override
    public float[] scale() {
        return scale.clone();
    }

    /** The number of groups. */
    public int groups() {
        return groupMeans.length;
    }

    /** The fraction of groups with zero reward variance (TRL's {@code frac_reward_zero_std}). */
    public double zeroVarianceFraction() {
        return groupMeans.length == 0 ? 0.0 : (double) zeroVarianceGroups / groupMeans.length;
    }
}
