package dev.mllmrec.grpo.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CounterRngTest {

    @Test
    void isAPureFunctionOfSeedStreamAndCounter() {
        CounterRng a = new CounterRng(42);
        CounterRng b = new CounterRng(42);
        assertThat(a.bits(3, 7)).isEqualTo(b.bits(3, 7));
        assertThat(a.bits(3, 7)).isNotEqualTo(a.bits(7, 3)).isNotEqualTo(new CounterRng(43).bits(3, 7));
        assertThat(a.uniforms(5, 4)).containsExactly(a.uniform(5, 0), a.uniform(5, 1), a.uniform(5, 2),
                a.uniform(5, 3));
    }

    @Test
    void uniformsAreInTheUnitIntervalWithMeanAndVarianceOfU01() {
        CounterRng rng = new CounterRng(1);
        int n = 100_000;
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double u = rng.uniform(i % 7, i);
            assertThat(u).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
            sum += u;
            sq += u * u;
        }
        double mean = sum / n;
        assertThat(mean).isCloseTo(0.5, within(0.005));
        assertThat(sq / n - mean * mean).isCloseTo(1.0 / 12, within(0.002));
    }
}
