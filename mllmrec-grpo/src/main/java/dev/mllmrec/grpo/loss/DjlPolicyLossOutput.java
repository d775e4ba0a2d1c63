package dev.mllmrec.grpo.loss;

import ai.djl.ndarray.NDArray;

/**
 * The result of {@link DjlPolicyLoss#forward}: the differentiable scalar loss and its diagnostics, attached to the
 * manager of the log-probabilities they came from.
 *
 * @param loss    a scalar; back-propagating it gives {@code dLoss/dlogProbs}
 * @param metrics six scalars, no gradient: clip low, clip high, clip region, mean KL (NaN without reference
 *                log-probs), mean ratio, masked token count — the fields of {@link PolicyLossMetrics} in order
 */
public record DjlPolicyLossOutput(NDArray loss, NDArray metrics) {

    /** Reads the diagnostics from the device. */
    public PolicyLossMetrics readMetrics() {
        float[] m = metrics.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        return new PolicyLossMetrics(m[0], m[1], m[2], m[3], m[4], m[5]);
    }
}
