package dev.mllmrec.grpo.loss;

/**
 * Diagnostics of one loss evaluation; every mean is over the masked (completion) tokens of the batch, as TRL logs
 * them.
 *
 * @param clipLow    fraction of tokens with {@code ratio < 1 - epsLow} and {@code A < 0} (gradient cut off)
 * @param clipHigh   fraction of tokens with {@code ratio > 1 + epsHigh} and {@code A > 0} (gradient cut off)
 * @param clipRegion fraction of tokens that are either
 * @param meanKl     mean k3 KL estimate; {@code NaN} when no reference log-probs were given
 * @param meanRatio  mean importance ratio
 * @param tokens     number of masked tokens (the sum of the mask)
 */
public record PolicyLossMetrics(double clipLow, double clipHigh, double clipRegion, double meanKl, double meanRatio,
                                double tokens) {
}
