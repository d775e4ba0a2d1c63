package dev.mllmrec.grpo.loss;

/**
 * How per-token losses {@code l[i][t]} of {@code N} sequences with completion mask {@code m[i][t]} become one number
 * (TRL's {@code loss_type}).
 */
public enum LossAggregation {

    /**
     * {@code grpo}: the mean over each sequence's masked tokens, then the mean over sequences:
     * {@code (1/N) * sum_i (sum_t m*l) / max(1, sum_t m)}. Long completions weigh less per token.
     */
    GRPO,

    /**
     * {@code dapo} (token-level, DAPO): {@code sum_{i,t} m*l / T_tok}, where {@code T_tok} is the number of masked
     * tokens of the batch ({@code max(1, sum m)}), or the whole generation batch's token count when a caller splits
     * it into micro-batches and supplies it ({@link PolicyLossInput#dapoTokenCount()}, TRL's
     * {@code num_items_in_batch}).
     */
    DAPO,

    /**
     * {@code dr_grpo} (Dr. GRPO): {@code sum_{i,t} m*l / (N * L)} with {@code L} the constant maximum completion
     * length ({@link PolicyLossConfig#maxCompletionLength()}), so no length bias at all.
     */
    DR_GRPO
}
