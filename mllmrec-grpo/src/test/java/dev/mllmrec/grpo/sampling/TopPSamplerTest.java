package dev.mllmrec.grpo.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TopPSamplerTest {

    private static float ln(double x) {
        return (float) Math.log(x);
    }

    // Probabilities 0.5, 0.3, 0.15, 0.05 (temperature 1), top-p 0.9. Sorted, the mass before each token is
    // 0, 0.5, 0.8, 0.95: the first three are kept (0.8 < 0.9), the 0.05 token is not. Renormalised over the
    // support (total 0.95) the cumulative distribution is 0.5, 0.8, 0.95 against u * 0.95.
    private static final float[] LOGITS = {ln(0.15), ln(0.5), ln(0.05), ln(0.3)}; // shuffled: ids 1, 3, 0 kept

    @Test
    void supportAndInverseCdfByHand() {
        TopPSampler s = new TopPSampler(1.0, 0.9);
        assertThat(s.support(LOGITS, 1, 4)).containsExactly(true, true, false, true);
        // Vocabulary order over the support: id 0 (0.15), id 1 (0.5), id 3 (0.3); cumulative 0.15, 0.65, 0.95.
        // u = 0.1 -> target 0.095 < 0.15 -> id 0; u = 0.5 -> 0.475 -> id 1; u = 0.7 -> 0.665 -> id 3;
        // u = 1 - 2^-53 -> just under 0.95 -> id 3, never the excluded id 2.
        assertThat(s.sample(LOGITS, 1, 4, new double[] {0.1})).containsExactly(0);
        assertThat(s.sample(LOGITS, 1, 4, new double[] {0.5})).containsExactly(1);
        assertThat(s.sample(LOGITS, 1, 4, new double[] {0.7})).containsExactly(3);
        assertThat(s.sample(LOGITS, 1, 4, new double[] {Math.nextDown(1.0)})).containsExactly(3);
        assertThat(s.sample(LOGITS, 1, 4, new double[] {0.0})).containsExactly(0);
    }

    @Test
    void frequenciesFollowTheRenormalisedSupport() {
        TopPSampler s = new TopPSampler(1.0, 0.9);
        CounterRng rng = new CounterRng(2024);
        int n = 20_000;
        int[] counts = new int[4];
        for (int i = 0; i < n; i++) {
            counts[s.sample(LOGITS, 1, 4, rng, i)[0]]++;
        }
        assertThat(counts[2]).isZero();
        assertThat(counts[0] / (double) n).isCloseTo(0.15 / 0.95, within(0.015));
        assertThat(counts[1] / (double) n).isCloseTo(0.5 / 0.95, within(0.015));
        assertThat(counts[3] / (double) n).isCloseTo(0.3 / 0.95, within(0.015));
    }

    @Test
    void temperatureSharpensBeforeTheCut() {
        // At temperature 0.5 the probabilities are squared and renormalised: 0.25, 0.09, 0.0225, 0.0025 over 0.365
        // -> 0.685, 0.247, 0.062, 0.007; mass before: 0, 0.685, 0.932 -> top-p 0.9 keeps ids 1 and 3 only.
        TopPSampler s = new TopPSampler(0.5, 0.9);
        assertThat(s.support(LOGITS, 1, 4)).containsExactly(false, true, false, true);
    }

    @Test
    void tiesAtTheBoundaryAreAllKept() {
        // Ten equal logits at top-p 0.5: the cut falls inside a tie, and the support is defined by value.
        float[] flat = new float[10];
        TopPSampler s = new TopPSampler(0.9, 0.5);
        assertThat(s.support(flat, 1, 10)).containsOnly(true);
        assertThat(new TopPSampler(0.9, 1e-6).support(flat, 1, 10)).containsOnly(true);
    }

    @Test
    void callerMistakes() {
        assertThatThrownBy(() -> new TopPSampler(0, 0.9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> new TopPSampler(1, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("top-p");
        TopPSampler s = new TopPSampler(1, 0.9);
        assertThatThrownBy(() -> s.sample(LOGITS, 1, 4, new double[] {1.0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> s.sample(LOGITS, 2, 4, new double[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 rows x 4");
    }
}
