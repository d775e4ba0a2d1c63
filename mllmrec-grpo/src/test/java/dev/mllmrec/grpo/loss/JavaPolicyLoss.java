package dev.mllmrec.grpo.loss;

import java.util.Objects;

/**
 * The plain-Java reference {@link PolicyLoss}, with the gradient derived by hand: the test oracle that
 * {@link DjlPolicyLoss} (what the trainer runs) is checked against.
 *
 * <p>Per-token quantities are computed in {@code float}, in the order a PyTorch implementation computes them (so
 * that DJL and this class agree to float rounding); sums are accumulated in {@code double}.
 *
 * <p>The gradient of the per-token loss with respect to {@code logp} is
 * <pre>
 *   dl/dlogp = (clipped ? 0 : -A * ratio) + beta * (1 - exp(ref - logp))
 * </pre>
 * where a token is clipped when {@code ratio < 1 - epsLow && A < 0} or {@code ratio > 1 + epsHigh && A > 0}: there
 * the minimum selects the clamped, constant branch. Everywhere else the minimum selects (or ties with) the unclipped
 * branch {@code ratio * A}, whose derivative is {@code ratio * A} because {@code d ratio / d logp = ratio} (the old
 * log-probs are constants; with μ = 1 they equal {@code logp} and the ratio is 1). The aggregation multiplies it by
 * the token's weight: {@code m / (N * max(1, sum_t m))} for GRPO, {@code m / T_tok} for DAPO, {@code m / (N * L)}
 * for Dr. GRPO.
 *
 * <p>Immutable and thread-safe.
 */
public final class JavaPolicyLoss implements PolicyLoss {

    private final PolicyLossConfig config;

    /** A loss with these settings. */
    public JavaPolicyLoss(PolicyLossConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public PolicyLossConfig config() {
        return config;
    }

    @Override
    public PolicyLossResult compute(PolicyLossInput in) {
        Objects.requireNonNull(in, "input");
        float[] grad = new float[in.sequences() * in.tokens()];
        return compute(in, grad);
    }

    /**
     * Like {@link #compute(PolicyLossInput)} but writes the gradient into {@code gradient} (length {@code N*T}), for
     * callers that reuse a buffer; the result's gradient is that same array.
     */
    public PolicyLossResult compute(PolicyLossInput in, float[] gradient) {
        Objects.requireNonNull(in, "input");
        int n = in.sequences();
        int tLen = in.tokens();
        if (gradient.length != n * tLen) {
            throw new IllegalArgumentException("The gradient buffer has " + gradient.length + " values; expected "
                    + n * tLen + ".");
        }
        double beta = config.beta();
        float[] ref = in.refLogProbs();
        if (beta != 0.0 && ref == null) {
            throw new IllegalArgumentException("The KL weight beta is " + beta
                    + ", so reference log-probabilities are required.");
        }
        float[] logp = in.logProbs();
        float[] old = in.oldLogProbs() == null ? logp : in.oldLogProbs();
        float[] mask = in.mask();
        float[] adv = in.advantages();
        float lo = config.lowerBound();
        float hi = config.upperBound();
        float betaF = (float) beta;

        // Aggregation constants: the per-token weight is mask * seqWeight[i] (GRPO) or mask * globalWeight.
        double maskTotal = 0;
        double[] seqWeight = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int off = i * tLen;
            for (int t = 0; t < tLen; t++) {
                s += mask[off + t];
            }
            maskTotal += s;
            seqWeight[i] = 1.0 / (n * Math.max(1.0, s));
        }
        double globalWeight = switch (config.aggregation()) {
            case GRPO -> Double.NaN;
            case DAPO -> 1.0 / (in.dapoTokenCount() > 0 ? in.dapoTokenCount() : Math.max(1.0, maskTotal));
            case DR_GRPO -> 1.0 / ((double) n * config.maxCompletionLength());
        };
        boolean perSequence = config.aggregation() == LossAggregation.GRPO;

        double loss = 0;
        double low = 0;
        double high = 0;
        double region = 0;
        double kl = 0;
        double ratioSum = 0;
        for (int i = 0; i < n; i++) {
            float a = adv[i];
            int off = i * tLen;
            double w = perSequence ? seqWeight[i] : globalWeight;
            for (int t = 0; t < tLen; t++) {
                int k = off + t;
                float m = mask[k];
                if (m == 0f) {
                    gradient[k] = 0f;
                    continue;
                }
                float ratio = (float) Math.exp(logp[k] - old[k]);
                float clamped = Math.min(Math.max(ratio, lo), hi);
                float s1 = ratio * a;
                float s2 = clamped * a;
                float tokLoss = -Math.min(s1, s2);
                boolean isLow = ratio < lo && a < 0f;
                boolean isHigh = ratio > hi && a > 0f;
                float g = isLow || isHigh ? 0f : -a * ratio;
                if (ref != null) {
                    float d = ref[k] - logp[k];
                    float e = (float) Math.exp(d);
                    float tokKl = e - d - 1f;
                    kl += (double) m * tokKl;
                    if (beta != 0.0) {
                        tokLoss += betaF * tokKl;
                        g += betaF * (1f - e);
                    }
                }
                loss += w * m * tokLoss;
                gradient[k] = (float) (w * m * g);
                ratioSum += (double) m * ratio;
                if (isLow) {
                    low += m;
                }
                if (isHigh) {
                    high += m;
                }
                if (isLow || isHigh) {
                    region += m;
                }
            }
        }
        double count = Math.max(1.0, maskTotal);
        PolicyLossMetrics metrics = new PolicyLossMetrics(low / count, high / count, region / count,
                ref == null ? Double.NaN : kl / count, ratioSum / count, maskTotal);
        return new PolicyLossResult(loss, metrics, gradient);
    }
}
