package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try")
class DropoutTest {

    @Test
    void dropsAboutTheRateAndScalesTheKeptValuesByTheInverseKeepProbability() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] ones = new float[20_000];
            java.util.Arrays.fill(ones, 2f);
            float[] out = new Dropout(0.25, 5).apply(m.create(ones, new Shape(100, 200))).toFloatArray();
            int zeros = 0;
            for (float f : out) {
                if (f == 0f) {
                    zeros++;
                } else {
                    assertThat(f).isEqualTo(2f / 0.75f, within(1e-6f));
                }
            }
            // 5,000 expected; the binomial's standard deviation is about 61.
            assertThat(zeros).isBetween(4_700, 5_300);
        }
    }

    @Test
    void theSameSeedDrawsTheSameMasksAndRateZeroIsTheIdentity() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(1f, 65f).reshape(8, 8);
            float[] a = new Dropout(0.5, 11).apply(x).toFloatArray();
            float[] b = new Dropout(0.5, 11).apply(x).toFloatArray();
            float[] c = new Dropout(0.5, 12).apply(x).toFloatArray();
            assertThat(a).containsExactly(b);
            assertThat(a).isNotEqualTo(c);
            assertThat(new Dropout(0, 11).apply(x)).isSameAs(x);
            assertThatThrownBy(() -> new Dropout(1.0, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[0, 1)");
        }
    }

    @Test
    void masksAreTheSeededRandomsDrawsInOrderAcrossCallsAndAcrossTheTwoThreadsOfALargeMask() {
        int small = 1_000;
        int large = Dropout.PARALLEL_MIN * 3 + 7;   // filled in two halves, the second on the helper thread
        try (NDManager m = NDManager.newBaseManager()) {
            Dropout dropout = new Dropout(0.3, 99);
            float[] a = dropout.apply(m.ones(new Shape(small))).toFloatArray();
            float[] b = dropout.apply(m.ones(new Shape(3, large))).toFloatArray();
            SeededRandom reference = new SeededRandom(99);
            float keep = (float) (1.0 / 0.7);
            for (float[] out : new float[][] {a, b}) {
                for (int i = 0; i < out.length; i++) {
                    float expected = reference.nextFloat() < 0.3f ? 0f : keep;
                    assertThat(out[i]).as("element %d of %d", i, out.length).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aTrainingForwardWithoutDropoutEqualsInferenceAndWithDropoutDiffers() {
        LmConfig tiny = LmConfig.Preset.TINY.config(50);
        try (CausalLm lm = CausalLm.create(tiny, 2); NDManager m = NDManager.newBaseManager()) {
            NDArray tokens = m.create(CausalLmTest.randomTokens(12, 4, 50), new Shape(2, 6));
            float[] plain = lm.hidden(tokens, null, null, null).toFloatArray();
            assertThat(lm.hidden(tokens, null, null, null, new Dropout(0, 1)).toFloatArray()).containsExactly(plain);
            assertThat(lm.hidden(tokens, null, null, null, new Dropout(0.3, 1)).toFloatArray()).isNotEqualTo(plain);
        }
    }
}
