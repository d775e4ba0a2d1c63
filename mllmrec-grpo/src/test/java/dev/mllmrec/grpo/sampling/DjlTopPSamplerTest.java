package dev.mllmrec.grpo.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DJL sampler and the Java reference agree on the support and, with the same uniforms, on the token. */
class DjlTopPSamplerTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static float[] gaussianLogits(long seed, int rows, int vocab, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] out = new float[rows * vocab];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (scale * rnd.nextGaussian());
        }
        return out;
    }

    private static void assertAgree(float[] logits, int rows, int vocab, double temperature, double topP,
                                    double[] uniforms) {
        TopPSampler java = new TopPSampler(temperature, topP);
        boolean[] javaSupport = java.support(logits, rows, vocab);
        int[] javaTokens = java.sample(logits, rows, vocab, uniforms);
        for (int r = 0; r < rows; r++) {
            assertThat(javaSupport[r * vocab + javaTokens[r]]).isTrue();
        }
        // Whole-row sort, the default candidate count, and a small one that forces the retry path.
        for (int candidates : new int[] {0, DjlTopPSampler.DEFAULT_CANDIDATES, 16}) {
            DjlTopPSampler djl = new DjlTopPSampler(temperature, topP, candidates);
            try (NDManager step = manager.newSubManager()) {
                NDArray l = step.create(logits, new Shape(rows, vocab));
                assertThat(djl.support(l).toBooleanArray()).as("support, %s", djl).isEqualTo(javaSupport);
                long[] djlTokens = djl.sample(l, step.create(uniforms)).toLongArray();
                for (int r = 0; r < rows; r++) {
                    assertThat(djlTokens[r]).as("row %d, %s", r, djl).isEqualTo(javaTokens[r]);
                }
            }
        }
    }

    @Test
    void agreeOnTheBuiltInVocabularySize() {
        CounterRng rng = new CounterRng(9);
        for (int seed = 0; seed < 1; seed++) {
            for (double scale : new double[] {1.0, 3.0, 8.0}) {
                assertAgree(gaussianLogits(seed, 8, 8192, scale), 8, 8192, 0.9, 0.9, rng.uniforms(seed, 8));
            }
        }
    }

    @Test
    void agreeOnQwenSizedVocabulary() {
        assertAgree(gaussianLogits(77, 2, 151_936, 3.0), 2, 151_936, 0.9, 0.9, new CounterRng(3).uniforms(0, 2));
    }

    @Test
    void agreeWithManyTiesAndExtremeUniforms() {
        // Logits on a coarse grid give many exactly equal probabilities, including at the top-p boundary.
        float[] logits = gaussianLogits(5, 6, 512, 2.0);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = Math.round(logits[i]);
        }
        double[] u = {0.0, Math.nextDown(1.0), 0.5, 0.25, 0.999, 1e-12};
        for (double topP : new double[] {0.1, 0.5, 0.9, 1.0}) {
            assertAgree(logits, 6, 512, 0.9, topP, u);
        }
    }
}
