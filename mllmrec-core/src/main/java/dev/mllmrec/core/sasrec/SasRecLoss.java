package dev.mllmrec.core.sasrec;

/**
 * The training objective of a {@link SasRecModel}: what the hidden state at each position is trained to score.
 */
public enum SasRecLoss {

    /**
     * The paper's objective: at every position, binary cross-entropy of the next item against
     * {@link SasRecConfig#negatives()} items sampled uniformly from those the user has not interacted with.
     */
    BINARY_CROSS_ENTROPY,

    /**
     * Cross-entropy of the next item over the whole vocabulary (a full softmax), as in most later SASRec
     * reproductions: every position's target against every other item, no sampling. Costs one
     * {@code positions x items} matrix product per step, which is small for catalogs of a few thousand items.
     */
    SOFTMAX_CROSS_ENTROPY
}
