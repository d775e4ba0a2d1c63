package dev.mllmrec.grpo.loss;

import static dev.mllmrec.grpo.loss.PolicyLossFixtures.clipping;
import static dev.mllmrec.grpo.loss.PolicyLossFixtures.klOnly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class JavaPolicyLossTest {

    private static final double TOL = 1e-6;

    private static JavaPolicyLoss loss(LossAggregation aggregation, double beta) {
        return new JavaPolicyLoss(PolicyLossConfig.builder().optAggregation(aggregation).optBeta(beta)
                .optMaxCompletionLength(4).build());
    }

    // Per-token losses of the clipping fixture, l = -min(r*A, clip(r, 0.8, 1.2)*A):
    //   seq 0 (A = +1): r = 1.5 -> -min(1.5, 1.2) = -1.2 (clipped high, gradient 0)
    //                   r = 0.5 -> -min(0.5, 0.8) = -0.5 (unclipped, gradient -A*r = -0.5)
    //   seq 1 (A = -2): r = 0.5 -> -min(-1.0, -1.6) = 1.6 (clipped low, gradient 0)
    //                   r = 1.5 -> -min(-3.0, -2.4) = 3.0 (unclipped, gradient -A*r = 3.0)
    //                   r = 1.0 -> -min(-2.0, -2.0) = 2.0 (gradient 2.0)
    // Sum over the 5 masked tokens: -1.7 + 6.6 = 4.9.

    @Test
    void grpoAggregationClipsBothSidesAndIgnoresPadding() {
        // GRPO: seq means -1.7 / 2 = -0.85 and 6.6 / 3 = 2.2; loss = (-0.85 + 2.2) / 2 = 0.675.
        // Token weights 1 / (N * len_i): seq 0 -> 1/4, seq 1 -> 1/6.
        // Gradient: seq 0 [0, -0.5/4, 0] = [0, -0.125, 0]; seq 1 [0, 3/6, 2/6] = [0, 0.5, 0.3333333].
        PolicyLossResult r = loss(LossAggregation.GRPO, 0.0).compute(clipping());
        assertThat(r.loss()).isCloseTo(0.675, within(TOL));
        assertThat(r.gradient()).containsExactly(new float[] {0f, -0.125f, 0f, 0f, 0.5f, 0.3333333f},
                within(1e-6f));
        // Clip fractions over the 5 masked tokens: one low, one high, two in all; mean ratio = 5 / 5 = 1.
        PolicyLossMetrics m = r.metrics();
        assertThat(m.clipLow()).isCloseTo(0.2, within(TOL));
        assertThat(m.clipHigh()).isCloseTo(0.2, within(TOL));
        assertThat(m.clipRegion()).isCloseTo(0.4, within(TOL));
        assertThat(m.meanRatio()).isCloseTo(1.0, within(TOL));
        assertThat(m.tokens()).isEqualTo(5.0);
        assertThat(m.meanKl()).isNaN(); // no reference log-probs given
    }

    @Test
    void dapoAggregationDividesByTheBatchTokenCount() {
        // DAPO: 4.9 / 5 = 0.98; every masked token weighs 1/5: seq 0 [0, -0.1, 0], seq 1 [0, 0.6, 0.4].
        PolicyLossResult r = loss(LossAggregation.DAPO, 0.0).compute(clipping());
        assertThat(r.loss()).isCloseTo(0.98, within(TOL));
        assertThat(r.gradient()).containsExactly(new float[] {0f, -0.1f, 0f, 0f, 0.6f, 0.4f}, within(1e-6f));
        // As one micro-batch of a generation batch with 10 completion tokens: 4.9 / 10 = 0.49.
        assertThat(loss(LossAggregation.DAPO, 0.0).compute(clipping().withDapoTokenCount(10)).loss())
                .isCloseTo(0.49, within(TOL));
    }

    @Test
    void drGrpoAggregationDividesByBatchSizeTimesMaxLength() {
        // Dr. GRPO with L = 4: 4.9 / (2 * 4) = 0.6125; every masked token weighs 1/8: [0, -0.0625, 0, 0, 0.375, 0.25].
        PolicyLossResult r = loss(LossAggregation.DR_GRPO, 0.0).compute(clipping());
        assertThat(r.loss()).isCloseTo(0.6125, within(TOL));
        assertThat(r.gradient()).containsExactly(new float[] {0f, -0.0625f, 0f, 0f, 0.375f, 0.25f}, within(1e-6f));
    }

    @Test
    void asymmetricClipBoundsUseEpsilonHighOnlyAbove() {
        // ε_low = 0.2, ε_high = 0.6 (bound 1.6): seq 0's r = 1.5 is no longer clipped: -min(1.5, 1.5) = -1.5 and
        // its gradient is -A*r = -1.5. DAPO sum = -1.5 - 0.5 + 6.6 = 4.6 -> 4.6 / 5 = 0.92; clip high = 0.
        JavaPolicyLoss l = new JavaPolicyLoss(PolicyLossConfig.builder().optEpsilonHigh(0.6).optBeta(0.0)
                .optAggregation(LossAggregation.DAPO).build());
        PolicyLossResult r = l.compute(clipping());
        assertThat(r.loss()).isCloseTo(0.92, within(TOL));
        assertThat(r.gradient()[0]).isCloseTo(-1.5f / 5, within(1e-6f));
        assertThat(r.metrics().clipHigh()).isZero();
        assertThat(r.metrics().clipLow()).isCloseTo(0.2, within(TOL));
    }

    @Test
    void klTermUsesTheK3EstimatorWeightedByBeta() {
        // k3 = exp(d) - d - 1 with d = ref - logp:
        //   d = ln 2  -> 2 - 0.6931472 - 1   = 0.3068528, gradient beta * (1 - e^d) = 0.1 * (1 - 2)   = -0.1
        //   d = 0     -> 0,                                                                            0
        //   d = -ln 2 -> 0.5 + 0.6931472 - 1 = 0.1931472, gradient 0.1 * (1 - 0.5)                    = 0.05
        // Surrogate: A = 0 so 0 (and μ = 1, ratio = 1).
        // GRPO: seq 0 = 0.1 * 0.3068528 / 2 = 0.01534264; seq 1 = 0.1 * 0.1931472 / 1 = 0.01931472;
        // loss = (0.01534264 + 0.01931472) / 2 = 0.01732868.
        // Gradient: seq 0 weight 1/4 -> [-0.025, 0, 0]; seq 1 weight 1/2 -> [0.025, 0, 0].
        // Mean KL over the 3 masked tokens: (0.3068528 + 0 + 0.1931472) / 3 = 0.5 / 3 = 0.1666667.
        PolicyLossResult r = loss(LossAggregation.GRPO, 0.1).compute(klOnly());
        assertThat(r.loss()).isCloseTo(0.01732868, within(TOL));
        assertThat(r.gradient()).containsExactly(new float[] {-0.025f, 0f, 0f, 0.025f, 0f, 0f}, within(1e-6f));
        assertThat(r.metrics().meanKl()).isCloseTo(0.1666667, within(TOL));
        assertThat(r.metrics().clipRegion()).isZero();
        assertThat(r.metrics().meanRatio()).isEqualTo(1.0);
    }

    @Test
    void onPolicyRatioIsOneAndTheGradientIsMinusTheAdvantage() {
        // μ = 1 with A = [1, -2] and β = 0.1 on the KL fixture's log-probs: per token l = -A + 0.1 * k3, gradient
        // -A + 0.1 * (1 - e^d). DAPO over 3 tokens: l = [-1 + 0.03068528, -1 + 0, 2 + 0.01931472] -> sum 0.05
        // -> loss 0.05 / 3 = 0.01666667. Gradient / 3: [(-1 - 0.1) / 3, -1/3, (2 + 0.05) / 3].
        PolicyLossInput base = klOnly();
        PolicyLossInput in = PolicyLossInput.of(2, 3, base.logProbs(), null, base.refLogProbs(),
                new float[] {1f, -2f}, base.mask());
        PolicyLossResult r = loss(LossAggregation.DAPO, 0.1).compute(in);
        assertThat(r.loss()).isCloseTo(0.05 / 3, within(TOL));
        assertThat(r.gradient()).containsExactly(new float[] {-1.1f / 3, -1f / 3, 0f, 2.05f / 3, 0f, 0f},
                within(1e-6f));
    }

    @Test
    void fullyMaskedSequenceCountsAsZeroInGrpoMean() {
        // Seq 1 has no completion tokens: its mean is 0 / max(1, 0) = 0, but it still counts in N = 2, so the loss
        // is seq 0's mean over 2: (-1.7 / 2) / 2 = -0.425 (TRL's clamp(min=1) behaviour).
        PolicyLossInput c = clipping();
        PolicyLossInput in = PolicyLossInput.of(2, 3, c.logProbs(), c.oldLogProbs(), null, c.advantages(),
                new float[] {1, 1, 0, 0, 0, 0});
        PolicyLossResult r = loss(LossAggregation.GRPO, 0.0).compute(in);
        assertThat(r.loss()).isCloseTo(-0.425, within(TOL));
        assertThat(r.gradient()).containsExactly(new float[] {0f, -0.125f, 0f, 0f, 0f, 0f}, within(1e-6f));
    }

    @Test
    void callerMistakesAreReportedInSentences() {
        PolicyLossInput noRef = clipping();
        assertThatThrownBy(() -> loss(LossAggregation.GRPO, 0.1).compute(noRef))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference log-probabilities");
        assertThatThrownBy(() -> PolicyLossConfig.builder().optAggregation(LossAggregation.DR_GRPO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optMaxCompletionLength");
        assertThatThrownBy(() -> PolicyLossInput.of(2, 3, new float[5], null, null, new float[2], new float[6]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logProbs has 5 values");
        assertThatThrownBy(() -> PolicyLossConfig.builder().optEpsilonLow(1.0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1)");
    }
}
