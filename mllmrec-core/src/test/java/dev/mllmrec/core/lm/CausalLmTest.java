package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try")
class CausalLmTest {

    static final LmConfig TINY = LmConfig.Preset.TINY.config(50);

    static long[] randomTokens(int n, long seed, int vocab) {
        SeededRandom r = new SeededRandom(seed);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(vocab);
        }
        return out;
    }

    @Test
    void reportsItsParameterCount() {
        try (CausalLm lm = CausalLm.create(TINY, 1)) {
            assertThat(lm.parameterCount()).isEqualTo(TINY.parameterCount());
            LmConfig untied = LmConfig.builder().optPreset(LmConfig.Preset.TINY).setVocabSize(50)
                    .optTiedEmbeddings(false).build();
            try (CausalLm lm2 = CausalLm.create(untied, 1)) {
                assertThat(lm2.parameterCount()).isEqualTo(untied.parameterCount())
                        .isEqualTo(TINY.parameterCount() + 50L * 32);
            }
        }
    }

    @Test
    void logitsOfChosenTokensEqualTheMatchingEntriesOfTheFullLogits() {
        try (CausalLm lm = CausalLm.create(TINY, 5); NDManager m = NDManager.newBaseManager()) {
            NDArray hidden = lm.hidden(m.create(randomTokens(3, 6, 50), new Shape(1, 3)), null, null, null)
                    .reshape(3, -1);
            float[] full = lm.logits(hidden).toFloatArray(); // (3, 50)
            long[] chosen = {7, 0, 49, 12, 12, 3};
            float[] some = lm.logitsOf(hidden, m.create(chosen, new Shape(3, 2))).toFloatArray();
            for (int i = 0; i < chosen.length; i++) {
                int row = i / 2;
                assertThat(some[i]).as("row %d token %d", row, chosen[i])
                        .isCloseTo(full[row * 50 + (int) chosen[i]], within(1e-5f));
            }
        }
    }

    @Test
    void changingALaterTokenNeverChangesAnEarlierPositionsLogits() {
        int time = 16;
        try (CausalLm lm = CausalLm.create(TINY, 2); NDManager m = NDManager.newBaseManager()) {
            long[] a = randomTokens(2 * time, 3, 50);
            for (int changed = 1; changed < time; changed += 5) {
                long[] b = a.clone();
                b[changed] = (b[changed] + 7) % 50;
                b[time + changed] = (b[time + changed] + 11) % 50;
                float[] la = lm.forward(m.create(a, new Shape(2, time))).toFloatArray();
                float[] lb = lm.forward(m.create(b, new Shape(2, time))).toFloatArray();
                int v = 50;
                for (int row = 0; row < 2; row++) {
                    for (int t = 0; t < time; t++) {
                        int off = (row * time + t) * v;
                        boolean same = java.util.Arrays.equals(la, off, off + v, lb, off, off + v);
                        if (t < changed) {
                            assertThat(same).as("row %d position %d (token %d changed)", row, t, changed).isTrue();
                        } else if (t == changed) {
                            assertThat(same).as("the changed position itself must change").isFalse();
                        }
                    }
                }
            }
        }
    }

    @Test
    void cachedIncrementalLogitsEqualTheFullForward() {
        int time = 12;
        try (CausalLm lm = CausalLm.create(TINY, 4); NDManager m = NDManager.newBaseManager();
             GradMode ignored = GradMode.disabled()) {
            long[] tokens = randomTokens(2 * time, 5, 50);
            NDArray all = m.create(tokens, new Shape(2, time));
            float[] full = lm.forward(all).toFloatArray();
            try (KvCache cache = lm.newCache(m, 2)) {
                int prefix = 5;
                NDArray first = lm.logits(lm.hidden(all.get(new NDIndex(":, 0:" + prefix)), null, null, cache));
                assertClose(first.toFloatArray(), slice(full, 2, time, 0, prefix));
                for (int t = prefix; t < time; t++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray tok = step.create(new long[] {tokens[t], tokens[time + t]}, new Shape(2, 1));
                        float[] got = lm.logits(lm.hidden(tok, null, null, cache)).toFloatArray();
                        assertClose(got, slice(full, 2, time, t, t + 1));
                    }
                }
                assertThat(cache.length()).isEqualTo(time);
            }
        }
    }

    @Test
    void leftPaddingWithShiftedPositionsMatchesTheUnpaddedRow() {
        try (CausalLm lm = CausalLm.create(TINY, 6); NDManager m = NDManager.newBaseManager();
             GradMode ignored = GradMode.disabled()) {
            long[] row = randomTokens(6, 7, 50);
            float[] alone = lm.forward(m.create(row, new Shape(1, 6))).toFloatArray();
            long[] padded = new long[9];
            System.arraycopy(row, 0, padded, 3, 6);
            long[] pos = {0, 0, 0, 0, 1, 2, 3, 4, 5};
            float[] mask = {0, 0, 0, 1, 1, 1, 1, 1, 1};
            NDArray h = lm.hidden(m.create(padded, new Shape(1, 9)), m.create(pos, new Shape(1, 9)),
                    m.create(mask, new Shape(1, 9)), null);
            float[] got = lm.logits(h).toFloatArray();
            assertClose(slice(got, 1, 9, 3, 9), alone);
        }
    }

    @Test
    void aMaskedChunkAfterAnUnmaskedCacheAttendsOnlyToRealKeys() {
        try (CausalLm lm = CausalLm.create(TINY, 12); NDManager m = NDManager.newBaseManager();
             GradMode ignored = GradMode.disabled()) {
            long[] row = randomTokens(7, 13, 50);
            float[] full = lm.forward(m.create(row, new Shape(1, 7))).toFloatArray();
            try (KvCache cache = lm.newCache(m, 1)) {
                lm.hidden(m.create(new long[] {row[0], row[1], row[2]}, new Shape(1, 3)), null, null, cache);
                assertThat(cache.keyBias()).isNull();
                // Next chunk: a padding token (masked, position irrelevant) then the remaining four tokens.
                long[] chunk = {0, row[3], row[4], row[5], row[6]};
                long[] pos = {0, 3, 4, 5, 6};
                float[] mask = {0, 1, 1, 1, 1};
                float[] got = lm.logits(lm.hidden(m.create(chunk, new Shape(1, 5)), m.create(pos, new Shape(1, 5)),
                        m.create(mask, new Shape(1, 5)), cache)).toFloatArray();
                assertClose(slice(got, 1, 5, 1, 5), slice(full, 1, 7, 3, 7));
                assertThat(cache.length()).isEqualTo(8);
                assertThat(cache.keyBias().getShape()).isEqualTo(new Shape(1, 8));
            }
        }
    }

    @Test
    void savesAndLoadsBitForBit(@TempDir Path dir) {
        try (CausalLm lm = CausalLm.create(TINY, 8)) {
            lm.save(dir);
            try (CausalLm back = CausalLm.load(dir)) {
                assertThat(back.config()).isEqualTo(lm.config());
                Map<String, float[]> a = lm.parameterValues();
                Map<String, float[]> b = back.parameterValues();
                assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
                for (String k : a.keySet()) {
                    assertThat(b.get(k)).as(k).containsExactly(a.get(k));
                }
            }
        }
    }

    @Test
    void sameSeedSameWeights() {
        try (CausalLm a = CausalLm.create(TINY, 9); CausalLm b = CausalLm.create(TINY, 9);
             CausalLm c = CausalLm.create(TINY, 10)) {
            assertThat(b.parameterValues().get("tok_emb")).containsExactly(a.parameterValues().get("tok_emb"));
            assertThat(c.parameterValues().get("tok_emb")).isNotEqualTo(a.parameterValues().get("tok_emb"));
        }
    }

    static float[] slice(float[] logits, int batch, int time, int from, int to) {
        int v = logits.length / (batch * time);
        float[] out = new float[batch * (to - from) * v];
        int o = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = from; t < to; t++) {
                System.arraycopy(logits, (b * time + t) * v, out, o, v);
                o += v;
            }
        }
        return out;
    }

    static void assertClose(float[] got, float[] expected) {
        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], within(2e-5f));
        }
    }
}
