package dev.mllmrec.grpo.advantage;

/**
 * How a completion's reward becomes its advantage. Rewards come in groups of {@code G} completions of the same
 * prompt; {@code mean_g} is the group's mean reward. Standard deviations are <em>sample</em> standard deviations
 * (divided by {@code n - 1}, Bessel's correction), as {@code torch.std} computes them in TRL's
 * {@code GRPOTrainer}; {@code eps} is {@link GroupAdvantage#DEFAULT_EPSILON} unless configured.
 *
 * <p>In every estimator a group whose rewards are all equal gets advantage exactly 0 and is counted as a
 * zero-variance group.
 */
public enum AdvantageEstimator {

    /**
     * GRPO (DeepSeekMath; TRL {@code scale_rewards="group"}, the default):
     * {@code A = (r - mean_g) / (std_g + eps)}, with {@code std_g} the sample std of the group.
     */
    GRPO,

    /**
     * GRPO with batch-level scaling (TRL {@code scale_rewards="batch"}): {@code A = (r - mean_g) / (std_B + eps)},
     * with {@code std_B} the sample std of all rewards of the batch (about the batch mean); centring is still per
     * group.
     */
    GRPO_BATCH_STD,

    /**
     * Dr. GRPO (Liu et al., 2025; TRL {@code scale_rewards="none"}): {@code A = r - mean_g}, no scaling, which removes
     * the question-difficulty bias of dividing by the group std.
     */
    DR_GRPO
}
