package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The item-content term of {@link CausalLm}: item token embedding = token embedding + content vector x projection. */
class ItemContentTest {

    private static final int VOCAB = 50;
    private static final int FIRST = 10;
    private static final int ITEMS = 20;
    private static final int DIM = 6;
    private static final LmConfig PLAIN = LmConfig.Preset.TINY.config(VOCAB);
    private static final LmConfig WITH_CONTENT = PLAIN.withContent(new LmConfig.ItemContentShape(DIM, FIRST, ITEMS));

    private static float[] vectors(long seed) {
        SeededRandom r = new SeededRandom(seed);
        float[] v = new float[ITEMS * DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] logits(CausalLm lm, long[] tokens) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray hidden = lm.hidden(m.create(tokens, new Shape(1, tokens.length)), null, null, null);
            return lm.logits(hidden).toFloatArray();
        }
    }

    @Test
    void aZeroProjectionGivesExactlyTheModelWithoutContent() {
        long[] tokens = {1, 12, 15, 3, 29, 11};
        try (CausalLm plain = CausalLm.create(PLAIN, 4);
             CausalLm content = CausalLm.create(WITH_CONTENT, 4, vectors(1))) {
            // The content projection is drawn after every other weight, so the shared weights are identical.
            assertThat(content.parameterValues().get("tok_emb")).containsExactly(plain.parameterValues().get("tok_emb"));
            Map<String, float[]> values = content.parameterValues();
            values.put(CausalLm.CONTENT_PROJECTION, new float[DIM * PLAIN.dModel()]);
            content.setParameterValues(values);
            assertThat(logits(content, tokens)).containsExactly(logits(plain, tokens));
        }
    }

    @Test
    void theContentMovesExactlyTheItemTokensOutputLogitsByTheirProjectedVector() {
        float[] v = vectors(2);
        try (CausalLm content = CausalLm.create(WITH_CONTENT, 4, v); NDManager m = NDManager.newBaseManager()) {
            Map<String, float[]> zero = content.parameterValues();
            float[] projection = zero.get(CausalLm.CONTENT_PROJECTION);
            zero.put(CausalLm.CONTENT_PROJECTION, new float[projection.length]);
            NDArray hidden = m.create(vectors(3), new Shape(3, 40)).get(":, 0:32"); // any (3, d) states
            float[] withContent = content.logits(hidden).toFloatArray();
            float[] h = hidden.toFloatArray();
            content.setParameterValues(zero);
            float[] without = content.logits(hidden).toFloatArray();
            int d = PLAIN.dModel();
            for (int row = 0; row < 3; row++) {
                for (int token = 0; token < VOCAB; token++) {
                    double expected = 0;
                    int item = token - FIRST;
                    if (item >= 0 && item < ITEMS) {
                        // h . (v_item P): computed by hand from the vectors and the projection.
                        for (int j = 0; j < d; j++) {
                            double projected = 0;
                            for (int k = 0; k < DIM; k++) {
                                projected += v[item * DIM + k] * projection[k * d + j];
                            }
                            expected += h[row * d + j] * projected;
                        }
                    }
                    assertThat(withContent[row * VOCAB + token] - without[row * VOCAB + token])
                            .as("row %d token %d", row, token).isCloseTo((float) expected, within(1e-4f));
                }
            }
        }
    }

    @Test
    void chosenTokenLogitsMatchTheFullLogitsWithContent() {
        try (CausalLm lm = CausalLm.create(WITH_CONTENT, 5, vectors(4)); NDManager m = NDManager.newBaseManager()) {
            NDArray hidden = lm.hidden(m.create(new long[] {1, 12, 29}, new Shape(1, 3)), null, null, null)
                    .reshape(3, -1);
            float[] full = lm.logits(hidden).toFloatArray();
            long[] chosen = {12, 0, 29, 9, 10, 49};
            float[] some = lm.logitsOf(hidden, m.create(chosen, new Shape(3, 2))).toFloatArray();
            for (int i = 0; i < chosen.length; i++) {
                assertThat(some[i]).isCloseTo(full[(i / 2) * VOCAB + (int) chosen[i]], within(1e-5f));
            }
            long[] shared = {49, 12, 0, 29};
            float[] over = lm.logitsOver(hidden, m.create(shared)).toFloatArray(); // (3, 4)
            for (int i = 0; i < over.length; i++) {
                assertThat(over[i]).isCloseTo(full[(i / 4) * VOCAB + (int) shared[i % 4]], within(1e-5f));
            }
        }
    }

    @Test
    void chosenTokenLogitsMatchTheFullLogitsWhenTheContentIsProjectedOncePerItem() {
        // 24 chosen ids against 21 content rows (20 items and the zero row): tokenRows projects every item once and
        // gathers, where fewer ids are projected one by one (the test above); both must give the full logits.
        try (CausalLm lm = CausalLm.create(WITH_CONTENT, 6, vectors(5)); NDManager m = NDManager.newBaseManager()) {
            NDArray hidden = lm.hidden(m.create(new long[] {1, 12, 29}, new Shape(1, 3)), null, null, null)
                    .reshape(3, -1);
            float[] full = lm.logits(hidden).toFloatArray();
            long[] chosen = new long[3 * 8];
            for (int i = 0; i < chosen.length; i++) {
                chosen[i] = (i * 7L + 3) % VOCAB; // items, tokens before them and after them, some twice
            }
            float[] some = lm.logitsOf(hidden, m.create(chosen, new Shape(3, 8))).toFloatArray();
            for (int i = 0; i < chosen.length; i++) {
                assertThat(some[i]).as("id %d", chosen[i])
                        .isCloseTo(full[(i / 8) * VOCAB + (int) chosen[i]], within(1e-5f));
            }
            long[] shared = new long[24];
            for (int i = 0; i < shared.length; i++) {
                shared[i] = FIRST + (i * 3L) % ITEMS;
            }
            float[] over = lm.logitsOver(hidden, m.create(shared)).toFloatArray(); // (3, 24)
            for (int i = 0; i < over.length; i++) {
                assertThat(over[i]).isCloseTo(full[(i / 24) * VOCAB + (int) shared[i % 24]], within(1e-5f));
            }
        }
    }

    /**
     * A forward-and-backward pass over every content path (input tokens, chosen and shared candidates, the full
     * output table): its loss and the gradients of the projection and the embeddings.
     */
    private static float[][] lossAndGradients(CausalLm lm, boolean shared) {
        try (NDManager m = lm.manager().newSubManager();
             ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector();
             TrainablePolicy.ForwardPass pass = shared ? lm.forwardPass(m) : TrainablePolicy.ForwardPass.NONE) {
            NDArray hidden = lm.hidden(m.create(new long[] {1, 12, 29, 15, 12, 3}, new Shape(2, 3)), null, null, null,
                    null).reshape(6, -1);
            long[] chosen = new long[6 * 5];
            for (int i = 0; i < chosen.length; i++) {
                chosen[i] = (i * 11L + 2) % VOCAB;
            }
            NDArray loss = lm.logitsOf(hidden, m.create(chosen, new Shape(6, 5))).square().sum()
                    .add(lm.logitsOver(hidden, m.create(new long[] {12, 0, 29, 14})).sum())
                    .add(lm.logits(hidden).logSoftmax(-1).sum().neg());
            gc.backward(loss);
            float[][] out = new float[3][];
            out[0] = new float[] {loss.getFloat()};
            try (NDArray gp = lm.parameters().get(CausalLm.CONTENT_PROJECTION).getGradient();
                 NDArray ge = lm.parameters().get("tok_emb").getGradient()) {
                out[1] = gp.toFloatArray();
                out[2] = ge.toFloatArray();
            }
            return out;
        }
    }

    @Test
    void aForwardPassSharesOneProjectionWithTheSameLossAndGradients() {
        // Two models with the same weights, so that no gradient accumulates from one pass into the other.
        try (CausalLm lm = CausalLm.create(WITH_CONTENT, 7, vectors(6));
             CausalLm twin = CausalLm.create(WITH_CONTENT, 7, vectors(6))) {
            float[][] separate = lossAndGradients(twin, false);
            float[][] shared = lossAndGradients(lm, true);
            assertThat(shared[0][0]).isCloseTo(separate[0][0], within(1e-3f * Math.abs(separate[0][0])));
            for (int g = 1; g < 3; g++) {
                assertThat(separate[g]).hasSameSizeAs(shared[g]);
                double scale = 0;
                for (float x : separate[g]) {
                    scale = Math.max(scale, Math.abs(x));
                }
                assertThat(scale).as("gradient %d is not all zero", g).isGreaterThan(0);
                for (int i = 0; i < shared[g].length; i++) {
                    assertThat((double) shared[g][i]).as("gradient %d element %d", g, i)
                            .isCloseTo(separate[g][i], within(1e-5 * scale));
                }
            }
            // The pass is closed: another may open, and one cannot open twice.
            try (NDManager m = NDManager.newBaseManager(); TrainablePolicy.ForwardPass pass = lm.forwardPass(m)) {
                assertThatThrownBy(() -> lm.forwardPass(m)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("already open");
            }
        }
    }

    @Test
    void inferenceReusesTheOutputTableOnlyWhileItsParametersAreUnchanged() {
        try (CausalLm lm = CausalLm.create(WITH_CONTENT, 5, vectors(4)); NDManager m = NDManager.newBaseManager()) {
            NDArray tokens = m.create(new long[] {1, 12, 29}, new Shape(1, 3));
            float[] before;
            float[] again;
            float[] after;
            float[] fresh;
            try (GradMode ignored = GradMode.disabled()) {
                before = lm.logits(lm.hidden(tokens, null, null, null)).toFloatArray();
                again = lm.logits(lm.hidden(tokens, null, null, null)).toFloatArray();
                // An optimizer updates in place: both inputs of the table, one after the other.
                lm.parameters().get(CausalLm.CONTENT_PROJECTION).addi(0.05f);
                after = lm.logits(lm.hidden(tokens, null, null, null)).toFloatArray();
                lm.parameters().get(lm.config().tiedEmbeddings() ? "tok_emb" : "head.weight").muli(1.5f);
            }
            float[] afterHead;
            try (GradMode ignored = GradMode.disabled()) {
                afterHead = lm.logits(lm.hidden(tokens, null, null, null)).toFloatArray();
            }
            fresh = lm.logits(lm.hidden(tokens, null, null, null)).toFloatArray(); // recording: computed afresh
            assertThat(again).containsExactly(before);
            assertThat(after).isNotEqualTo(before);
            assertThat(afterHead).isNotEqualTo(after);
            for (int i = 0; i < fresh.length; i++) {
                assertThat(afterHead[i]).isCloseTo(fresh[i], within(1e-5f));
            }
        }
    }

    @Test
    void untrainedItemsAreServedByTheMeanTrainedItemRowPlusTheirOwnContent(@TempDir Path dir) {
        int[] untrained = {13, 17};
        float[] v = vectors(7);
        long[] tokens = {1, 13, 15, 17, 29};
        try (CausalLm cold = CausalLm.create(WITH_CONTENT, 9, v, untrained);
             CausalLm plain = CausalLm.create(WITH_CONTENT, 9, v);
             CausalLm byHand = CausalLm.create(WITH_CONTENT, 9, v)) {
            // The reference: the same weights with rows 13 and 17 set, by hand, to the mean of the other item rows.
            Map<String, float[]> values = plain.parameterValues();
            float[] emb = values.get("tok_emb").clone();
            int d = PLAIN.dModel();
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int t = FIRST; t < FIRST + ITEMS; t++) {
                    sum += t == 13 || t == 17 ? 0 : emb[t * d + j];
                }
                emb[13 * d + j] = (float) (sum / (ITEMS - 2));
                emb[17 * d + j] = (float) (sum / (ITEMS - 2));
            }
            values.put("tok_emb", emb);
            byHand.setParameterValues(values);
            float[] served;
            float[] expected;
            float[] chosen;
            try (GradMode ignored = GradMode.disabled()) {
                served = logits(cold, tokens);
                expected = logits(byHand, tokens);
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray hidden = cold.hidden(m.create(tokens, new Shape(1, tokens.length)), null, null, null)
                            .reshape(tokens.length, d);
                    chosen = cold.logitsOver(hidden, m.create(new long[] {13, 17, 20})).toFloatArray();
                }
            }
            assertThat(served).hasSameSizeAs(expected);
            for (int i = 0; i < served.length; i++) {
                assertThat(served[i]).isCloseTo(expected[i], within(1e-5f));
            }
            for (int i = 0; i < chosen.length; i++) {
                int[] cols = {13, 17, 20};
                assertThat(chosen[i]).isCloseTo(served[(i / 3) * VOCAB + cols[i % 3]], within(1e-5f));
            }
            // Two untrained items still differ, by their content alone.
            assertThat(served[13]).isNotEqualTo(served[17]);
            // Training (gradient recording) sees the rows as they are: the serving form is for inference only.
            try (ai.djl.training.GradientCollector ignored = ai.djl.engine.Engine.getInstance()
                    .newGradientCollector()) {
                assertThat(logits(cold, tokens)).containsExactly(logits(plain, tokens));
            }
            // Saved, loaded and copied with the weights; the parameters to train are unchanged.
            cold.save(dir);
            try (CausalLm back = CausalLm.load(dir); CausalLm copy = cold.copy();
                 GradMode ignored = GradMode.disabled()) {
                assertThat(back.untrainedItems()).containsExactly(untrained);
                assertThat(copy.untrainedItems()).containsExactly(untrained);
                assertThat(logits(back, tokens)).containsExactly(served);
                assertThat(back.parameters()).doesNotContainKey(CausalLm.UNTRAINED_ITEMS);
            }
        }
    }

    @Test
    void untrainedItemsOutsideTheItemTokensAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> CausalLm.create(WITH_CONTENT, 9, vectors(7), new int[] {12, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CausalLm.UNTRAINED_ITEMS).hasMessageContaining("entry 1 is 3.0");
    }

    @Test
    void savesAndLoadsTheVectorsWithTheWeights(@TempDir Path dir) {
        long[] tokens = {1, 12, 15, 3};
        float[] v = vectors(6);
        try (CausalLm lm = CausalLm.create(WITH_CONTENT, 8, v)) {
            lm.save(dir);
            try (CausalLm back = CausalLm.load(dir); CausalLm copy = lm.copy()) {
                assertThat(back.config()).isEqualTo(WITH_CONTENT);
                assertThat(back.parameterValues().get(CausalLm.CONTENT_VECTORS)).containsExactly(v);
                assertThat(logits(back, tokens)).containsExactly(logits(lm, tokens));
                assertThat(logits(copy, tokens)).containsExactly(logits(lm, tokens));
                assertThat(back.parameters()).doesNotContainKey(CausalLm.CONTENT_VECTORS)
                        .containsKey(CausalLm.CONTENT_PROJECTION);
                assertThat(back.parameterCount()).isEqualTo(WITH_CONTENT.parameterCount())
                        .isEqualTo(PLAIN.parameterCount() + (long) DIM * PLAIN.dModel());
            }
        }
    }

    @Test
    void rejectsVectorsOfTheWrongSizeNamingTheShape() {
        assertThatThrownBy(() -> CausalLm.create(WITH_CONTENT, 1, new float[7]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20 x 6");
    }
}
