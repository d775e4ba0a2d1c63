package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenSamplerTest {

    static final float[] LOGITS = {1f, 3f, 2f, Float.NEGATIVE_INFINITY, 0f};

    @Test
    void greedyTakesTheLargestLogitAndTheLowestIdOnTies() {
        assertThat(new TokenSampler(Sampling.greedy()).sample(LOGITS, new SeededRandom(1))).isEqualTo(1);
        assertThat(TokenSampler.argMax(new float[] {2f, 5f, 5f})).isEqualTo(1);
    }

    @Test
    void samplingFrequenciesFollowTheSoftmaxAndNeverPickMaskedTokens() {
        TokenSampler s = new TokenSampler(Sampling.temperature(1.0));
        SeededRandom r = new SeededRandom(3);
        int n = 200_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < n; i++) {
            counts[s.sample(LOGITS, r)]++;
        }
        double z = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
        assertThat(counts[3]).isZero();
        assertThat(counts[0] / (double) n).isCloseTo(Math.exp(1) / z, within(0.005));
        assertThat(counts[1] / (double) n).isCloseTo(Math.exp(3) / z, within(0.005));
        assertThat(counts[2] / (double) n).isCloseTo(Math.exp(2) / z, within(0.005));
        assertThat(counts[4] / (double) n).isCloseTo(Math.exp(0) / z, within(0.005));
    }

    @Test
    void temperatureSharpensTheDistribution() {
        TokenSampler s = new TokenSampler(Sampling.temperature(0.5));
        SeededRandom r = new SeededRandom(4);
        int n = 100_000;
        int top = 0;
        for (int i = 0; i < n; i++) {
            top += s.sample(LOGITS, r) == 1 ? 1 : 0;
        }
        double z = Math.exp(2) + Math.exp(6) + Math.exp(4) + Math.exp(0);
        assertThat(top / (double) n).isCloseTo(Math.exp(6) / z, within(0.005));
    }

    @Test
    void topKAndTopPKeepOnlyTheMostLikelyTokens() {
        SeededRandom r = new SeededRandom(5);
        TokenSampler k2 = new TokenSampler(Sampling.topK(1.0, 2));
        TokenSampler p = new TokenSampler(Sampling.topP(1.0, 0.8));
        // probabilities: id1 0.644, id2 0.237, id0 0.087, id4 0.032 -> top-p 0.8 keeps ids 1 and 2.
        int n = 50_000;
        int[] ck = new int[5];
        int[] cp = new int[5];
        for (int i = 0; i < n; i++) {
            ck[k2.sample(LOGITS, r)]++;
            cp[p.sample(LOGITS, r)]++;
        }
        assertThat(ck[0] + ck[3] + ck[4]).isZero();
        assertThat(cp[0] + cp[3] + cp[4]).isZero();
        double share = Math.exp(3) / (Math.exp(3) + Math.exp(2));
        assertThat(ck[1] / (double) n).isCloseTo(share, within(0.01));
        assertThat(cp[1] / (double) n).isCloseTo(share, within(0.01));
        assertThat(new TokenSampler(Sampling.topP(1.0, 0.01)).sample(LOGITS, r)).isEqualTo(1);
        assertThat(new TokenSampler(Sampling.topK(1.0, 1)).sample(LOGITS, r)).isEqualTo(1);
    }

    @Test
    void theRadixSortOrdersKeysExactlyAsArraysSort() {
        SeededRandom r = new SeededRandom(9);
        long[] scratch = new long[10_000];
        int[] counts = new int[8 * 256];
        for (int n : new int[] {0, 1, 255, 256, 257, 7_016, 10_000}) {
            // Sampler keys (probability bits high, reversed id low), arbitrary signed longs, and many duplicates.
            long[][] cases = new long[3][n];
            for (int i = 0; i < n; i++) {
                float p = (float) Math.exp(-20 * r.nextDouble());
                cases[0][i] = ((long) Float.floatToIntBits(i % 7 == 0 ? 0f : p) << 32) | (Integer.MAX_VALUE - i);
                cases[1][i] = r.nextLong();
                cases[2][i] = r.nextInt(5) - 2;
            }
            for (long[] keys : cases) {
                long[] expected = keys.clone();
                java.util.Arrays.sort(expected);
                TokenSampler.sortKeys(keys, n, scratch, counts);
                assertThat(keys).containsExactly(expected);
            }
        }
    }

    @Test
    void logProbIsTheLogSoftmax() {
        double z = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
        assertThat((double) TokenSampler.logProb(LOGITS, 2)).isCloseTo(2 - Math.log(z), within(1e-6));
    }
}
