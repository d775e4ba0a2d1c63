package dev.mllmrec.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamTest {

    /** loss = sum(c * w) + sum(d * b): the gradients are c and d. */
    static void backward(NDArray w, float[] c, NDArray b, float[] d) {
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDManager m = w.getManager();
            NDArray loss = w.mul(m.create(c, w.getShape())).sum().add(b.mul(m.create(d, b.getShape())).sum());
            gc.backward(loss);
        }
    }

    static NDArray trainable(NDArray a) {
        a.setRequiresGradient(true);
        return a;
    }

    @Test
    void matchesHandComputedAdamWWithDecayOnMatricesOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = trainable(m.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2)));
            NDArray b = trainable(m.create(new float[] {0.25f, -0.75f}));
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("b", b);
            double b1 = 0.9;
            double b2 = 0.95;
            double eps = 1e-8;
            double wd = 0.1;
            double lr = 0.01;
            float[][] gw = {{0.5f, -1f, 2f, 0f}, {-0.5f, 0.25f, 1f, 3f}};
            float[][] gb = {{1f, -1f}, {0.125f, 4f}};
            double[] pw = {1, -2, 0.5, 3};
            double[] pb = {0.25, -0.75};
            double[] mw = new double[4];
            double[] vw = new double[4];
            double[] mb = new double[2];
            double[] vb = new double[2];
            try (Adam opt = Adam.adamW(params, m, b1, b2, eps, wd)) {
                for (int t = 1; t <= 2; t++) {
                    backward(w, gw[t - 1], b, gb[t - 1]);
                    opt.update(lr, 1.0);
                    for (int i = 0; i < 4; i++) {
                        mw[i] = b1 * mw[i] + (1 - b1) * gw[t - 1][i];
                        vw[i] = b2 * vw[i] + (1 - b2) * gw[t - 1][i] * gw[t - 1][i];
                        pw[i] -= lr * wd * pw[i];
                        pw[i] -= lr * (mw[i] / (1 - Math.pow(b1, t)))
                                / (Math.sqrt(vw[i] / (1 - Math.pow(b2, t))) + eps);
                    }
                    for (int i = 0; i < 2; i++) {
                        mb[i] = b1 * mb[i] + (1 - b1) * gb[t - 1][i];
                        vb[i] = b2 * vb[i] + (1 - b2) * gb[t - 1][i] * gb[t - 1][i];
                        pb[i] -= lr * (mb[i] / (1 - Math.pow(b1, t)))
                                / (Math.sqrt(vb[i] / (1 - Math.pow(b2, t))) + eps);
                    }
                }
                float[] gotW = w.toFloatArray();
                float[] gotB = b.toFloatArray();
                for (int i = 0; i < 4; i++) {
                    assertThat((double) gotW[i]).isCloseTo(pw[i], within(1e-6));
                }
                for (int i = 0; i < 2; i++) {
                    assertThat((double) gotB[i]).isCloseTo(pb[i], within(1e-6));
                }
                assertThat(opt.stepCount()).isEqualTo(2);
                // Gradients were zeroed by the update.
                assertThat(opt.gradientNorm()).isZero();
            }
        }
    }

    @Test
    void gradientsAccumulateUntilZeroedAndTheNormIsGlobal() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, 2f}, new Shape(1, 2));
            NDArray b = m.create(new float[] {0f});
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (Adam opt = Adam.adamW(Map.of("w", w, "b", b), m, 0.9, 0.999, 1e-8, 0)) {
                opt.zeroGradients();
                backward(w, new float[] {3f, 0f}, b, new float[] {0f});
                backward(w, new float[] {0f, 0f}, b, new float[] {4f});
                assertThat(opt.gradientNorm()).isCloseTo(5.0, within(1e-6));
                backward(w, new float[] {3f, 0f}, b, new float[] {0f});
                assertThat(opt.gradientNorm()).isCloseTo(Math.sqrt(36 + 16), within(1e-5));
                opt.zeroGradients();
                assertThat(opt.gradientNorm()).isZero();
            }
        }
    }

    @Test
    void stateRoundTripsExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, 2f}, new Shape(1, 2));
            w.setRequiresGradient(true);
            NDArray b = m.create(new float[] {0f});
            b.setRequiresGradient(true);
            try (Adam opt = Adam.adamW(Map.of("w", w, "b", b), m, 0.9, 0.999, 1e-8, 0.01);
                 Adam other = Adam.adamW(Map.of("w", w, "b", b), m, 0.9, 0.999, 1e-8, 0.01)) {
                backward(w, new float[] {0.3f, -0.7f}, b, new float[] {1.1f});
                opt.update(0.1, 0.5);
                other.restore(opt.state());
                assertThat(other.stepCount()).isEqualTo(1);
                assertThat(other.state().moments().keySet()).containsExactlyInAnyOrder("m.w", "v.w", "m.b", "v.b");
                assertThat(other.state().secondMoment("w")).containsExactly(opt.state().secondMoment("w"));
                assertThat(other.state().firstMoment("b")).containsExactly(opt.state().firstMoment("b"));
                assertThat(opt.state().firstMoment("w")).isNotEqualTo(new float[2]);
            }
        }
    }

    /** SASRec's variant: no weight decay, epsilon added to the uncorrected sqrt(v) (Kingma and Ba's epsilon-hat). */
    @Test
    void theAdamVariantPutsEpsilonOutsideTheBiasCorrection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = trainable(m.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2)));
            NDArray b = trainable(m.create(new float[] {0.25f, -0.75f}));
            double b1 = 0.9;
            double b2 = 0.98;
            double eps = 1e-2; // large, so that its placement shows
            double lr = 0.01;
            float[][] gw = {{0.5f, -1f, 2f, 0f}, {-0.5f, 0.25f, 1f, 3f}};
            float[][] gb = {{1f, -1f}, {0.125f, 4f}};
            double[] p = {1, -2, 0.5, 3, 0.25, -0.75};
            double[] mm = new double[6];
            double[] vv = new double[6];
            try (Adam opt = Adam.adam(Map.of("w", w, "b", b), m, b1, b2, eps)) {
                assertThat(opt.variant()).isEqualTo(Adam.Variant.ADAM);
                for (int t = 1; t <= 2; t++) {
                    backward(w, gw[t - 1], b, gb[t - 1]);
                    opt.update(lr, 1.0);
                    for (int i = 0; i < 6; i++) {
                        double g = i < 4 ? gw[t - 1][i] : gb[t - 1][i - 4];
                        mm[i] = b1 * mm[i] + (1 - b1) * g;
                        vv[i] = b2 * vv[i] + (1 - b2) * g * g;
                        double stepSize = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                        p[i] -= stepSize * mm[i] / (Math.sqrt(vv[i]) + eps);
                    }
                }
                float[] gotW = w.toFloatArray();
                float[] gotB = b.toFloatArray();
                for (int i = 0; i < 6; i++) {
                    assertThat((double) (i < 4 ? gotW[i] : gotB[i - 4])).isCloseTo(p[i], within(1e-6));
                }
                assertThat(opt.gradientNorm()).isZero();
            }
        }
    }

    @Test
    void restoringAStateOfOtherParametersNamesTheParameter() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, 2f}, new Shape(1, 2));
            try (Adam opt = Adam.adamW(Map.of("w", w), m, 0.9, 0.999, 1e-8, 0)) {
                assertThatThrownBy(() -> opt.restore(new AdamState(3, Map.of("m.x", new float[2],
                        "v.x", new float[2])))).hasMessageContaining("'w'");
                assertThatThrownBy(() -> opt.restore(new AdamState(3, Map.of("m.w", new float[3],
                        "v.w", new float[3])))).hasMessageContaining("'w'").hasMessageContaining("has 2");
                assertThatThrownBy(() -> new AdamState(-1, Map.of())).hasMessageContaining("-1");
            }
        }
    }
}
