package dev.mllmrec.grpo.loss;

/**
 * The loss, its diagnostics and its gradient with respect to the current policy's per-token log-probabilities.
 *
 * @param loss     the aggregated loss
 * @param metrics  clip fractions, KL and ratio diagnostics
 * @param gradient {@code dLoss/dlogProbs}, row-major {@code N x T} like the input; 0 at masked-out positions
 */
public record PolicyLossResult(double loss, PolicyLossMetrics metrics, float[] gradient) {
}
