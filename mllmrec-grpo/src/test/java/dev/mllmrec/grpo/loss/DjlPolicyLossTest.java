package dev.mllmrec.grpo.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loop-versus-vectorised equivalence, and DJL autograd versus the analytic gradient. */
class DjlPolicyLossTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static PolicyLossConfig config(LossAggregation aggregation, double beta) {
        return PolicyLossConfig.builder().optAggregation(aggregation).optBeta(beta).optEpsilonLow(0.2)
                .optEpsilonHigh(0.28).optMaxCompletionLength(48).build();
    }

    /** Random batch with ragged lengths, off-policy ratios spread around the clip bounds, and some empty rows. */
    static PolicyLossInput random(long seed, int n, int t, boolean onPolicy, boolean withRef) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] logp = new float[n * t];
        float[] old = onPolicy ? null : new float[n * t];
        float[] ref = withRef ? new float[n * t] : null;
        float[] mask = new float[n * t];
        float[] adv = new float[n];
        for (int i = 0; i < n; i++) {
            adv[i] = (float) rnd.nextGaussian();
            int len = i == n - 1 ? 0 : 1 + rnd.nextInt(t); // last row: all padding
            for (int j = 0; j < t; j++) {
                int k = i * t + j;
                logp[k] = (float) (-3 * rnd.nextDouble());
                if (old != null) {
                    old[k] = logp[k] + (float) (0.4 * rnd.nextGaussian());
                }
                if (ref != null) {
                    ref[k] = logp[k] + (float) (0.3 * rnd.nextGaussian());
                }
                mask[k] = j < len ? 1f : 0f;
            }
        }
        return PolicyLossInput.of(n, t, logp, old, ref, adv, mask);
    }

    @Test
    void handComputedFixturesGiveTheSameResultsAsJava() {
        for (LossAggregation agg : LossAggregation.values()) {
            for (PolicyLossInput in : new PolicyLossInput[] {PolicyLossFixtures.clipping(),
                PolicyLossFixtures.klOnly()}) {
                double beta = in.refLogProbs() == null ? 0.0 : 0.1;
                PolicyLossConfig c = PolicyLossConfig.builder().optAggregation(agg).optBeta(beta)
                        .optMaxCompletionLength(4).build();
                PolicyLossResult java = new JavaPolicyLoss(c).compute(in);
                try (DjlPolicyLoss djl = new DjlPolicyLoss(c, manager)) {
                    assertSame(java, djl.compute(in), agg.name());
                }
            }
        }
    }

    @Test
    void djlAutogradMatchesJavaOnSeededRandomBatches() {
        long seed = 11;
        for (LossAggregation agg : LossAggregation.values()) {
            for (boolean onPolicy : new boolean[] {true, false}) {
                for (double beta : new double[] {0.0, 0.1}) {
                    PolicyLossInput in = random(seed++, 24, 40, onPolicy, beta != 0.0);
                    PolicyLossConfig c = config(agg, beta);
                    PolicyLossResult java = new JavaPolicyLoss(c).compute(in);
                    try (DjlPolicyLoss djl = new DjlPolicyLoss(c, manager)) {
                        assertSame(java, djl.compute(in), agg + " onPolicy=" + onPolicy + " beta=" + beta);
                    }
                    if (!onPolicy) {
                        assertThat(java.metrics().clipLow()).isPositive();
                        assertThat(java.metrics().clipHigh()).isPositive();
                    }
                }
            }
        }
    }

    @Test
    void dapoMicroBatchNormaliserIsHonoured() {
        PolicyLossInput in = random(3, 8, 16, false, true).withDapoTokenCount(500);
        PolicyLossConfig c = config(LossAggregation.DAPO, 0.1);
        try (DjlPolicyLoss djl = new DjlPolicyLoss(c, manager)) {
            assertSame(new JavaPolicyLoss(c).compute(in), djl.compute(in), "dapo/500");
        }
    }

    @Test
    void forwardOnPolicyDetachesTheOldLogProbs() {
        // With oldLogProbs == null the ratio is exp(logp - logp.detach()) = 1 but still carries the gradient.
        PolicyLossInput in = random(5, 6, 10, true, true);
        PolicyLossConfig c = config(LossAggregation.GRPO, 0.1);
        try (DjlPolicyLoss djl = new DjlPolicyLoss(c, manager)) {
            PolicyLossResult r = djl.compute(in);
            assertThat(r.metrics().meanRatio()).isEqualTo(1.0);
            assertThat(r.metrics().clipRegion()).isZero();
            assertSame(new JavaPolicyLoss(c).compute(in), r, "on-policy");
        }
    }

    private static void assertSame(PolicyLossResult java, PolicyLossResult djl, String what) {
        assertThat(djl.loss()).as(what + " loss").isCloseTo(java.loss(), within(1e-5));
        assertThat(djl.gradient()).as(what + " gradient").containsExactly(java.gradient(), within(1e-5f));
        PolicyLossMetrics a = java.metrics();
        PolicyLossMetrics b = djl.metrics();
        assertThat(b.clipLow()).as(what + " clipLow").isCloseTo(a.clipLow(), within(1e-6));
        assertThat(b.clipHigh()).as(what + " clipHigh").isCloseTo(a.clipHigh(), within(1e-6));
        assertThat(b.clipRegion()).as(what + " clipRegion").isCloseTo(a.clipRegion(), within(1e-6));
        assertThat(b.meanRatio()).as(what + " ratio").isCloseTo(a.meanRatio(), within(1e-5));
        assertThat(b.tokens()).as(what + " tokens").isEqualTo(a.tokens());
        if (Double.isNaN(a.meanKl())) {
            assertThat(b.meanKl()).isNaN();
        } else {
            assertThat(b.meanKl()).as(what + " kl").isCloseTo(a.meanKl(), within(1e-5));
        }
    }
}
