package dev.mllmrec.grpo.loss;

/** Hand-built batches whose losses are worked out in the tests' comments. */
final class PolicyLossFixtures {

    private PolicyLossFixtures() {
    }

    static float ln(double x) {
        return (float) Math.log(x);
    }

    /**
     * Two sequences of T = 3, ε = 0.2 (bounds 0.8 and 1.2), old log-probs all -1, logp = -1 + ln(ratio):
     * <pre>
     * seq 0, A = +1, mask 1 1 0: ratios 1.5 (clipped high), 0.5 (A > 0: not clipped), pad
     * seq 1, A = -2, mask 1 1 1: ratios 0.5 (clipped low), 1.5 (A < 0: not clipped), 1.0
     * </pre>
     */
    static PolicyLossInput clipping() {
        float old = -1f;
        float[] ratios = {1.5f, 0.5f, 1f, 0.5f, 1.5f, 1f};
        float[] logp = new float[6];
        float[] oldLp = new float[6];
        for (int i = 0; i < 6; i++) {
            oldLp[i] = old;
            logp[i] = old + ln(ratios[i]);
        }
        logp[2] = 5f; // padding holds junk that must not matter
        return PolicyLossInput.of(2, 3, logp, oldLp, null, new float[] {1f, -2f}, new float[] {1, 1, 0, 1, 1, 1});
    }

    /**
     * μ = 1 (no old log-probs), A = 0, β = 0.1, so only the KL term is left. d = ref - logp:
     * <pre>
     * seq 0, mask 1 1 0: d = ln 2, 0, (pad)
     * seq 1, mask 1 0 0: d = -ln 2, (pad), (pad)
     * </pre>
     */
    static PolicyLossInput klOnly() {
        float[] logp = {-2f, -0.5f, -3f, -1f, -4f, 0f};
        float[] ref = {-2f + ln(2), -0.5f, 9f, -1f - ln(2), 7f, 0f};
        return PolicyLossInput.of(2, 3, logp, null, ref, new float[] {0f, 0f}, new float[] {1, 1, 0, 1, 0, 0});
    }
}
