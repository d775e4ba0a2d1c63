package dev.mllmrec.core.lm;

import java.util.Arrays;

/**
 * Chooses one token from a row of logits according to a {@link Sampling}, in plain Java so that the choice is
 * exactly reproducible from a seed. Masked tokens (logit {@code -Infinity}) are never chosen.
 *
 * <p>Not thread-safe (reuses scratch buffers); use one per thread.
 */
public final class TokenSampler {

    private final Sampling sampling;
    private long[] keys = new long[0];
    private long[] sortScratch = new long[0];
    private final int[] digitCounts = new int[8 * 256];
    private double[] probs = new double[0];

    /** A sampler for {@code sampling}. */
    public TokenSampler(Sampling sampling) {
        this.sampling = sampling;
    }

    /**
     * Chooses a token.
     *
     * @param logits one row of logits; entries set to {@code -Infinity} are excluded
     * @param rng    the row's generator (not used when greedy)
     * @return the token id
     * @throws IllegalStateException when every token is masked
     */
    public int sample(float[] logits, SeededRandom rng) {
        if (sampling.isGreedy()) {
            return argMax(logits);
        }
        int v = logits.length;
        if (probs.length < v) {
            probs = new double[v];
            keys = new long[v];
            sortScratch = new long[v];
        }
        double invT = 1.0 / sampling.temperature();
        float max = logits[argMax(logits)];
        // Candidates as sortable keys: probability bits high, reversed id low (so ties keep the lower id first).
        int n = 0;
        double total = 0;
        for (int i = 0; i < v; i++) {
            if (logits[i] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            double p = Math.exp((logits[i] - max) * invT);
            probs[i] = p;
            total += p;
            keys[n++] = ((long) Float.floatToIntBits((float) p) << 32) | (Integer.MAX_VALUE - i);
        }
        boolean cut = sampling.topK() > 0 && sampling.topK() < n || sampling.topP() < 1;
        if (!cut) {
            double u = rng.nextDouble() * total;
            double acc = 0;
            int last = -1;
            for (int i = 0; i < v; i++) {
                if (logits[i] == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                acc += probs[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
            return last;
        }
        sortKeys(keys, n, sortScratch, digitCounts);
        int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), n) : n;
        double keptMass = 0;
        int kept = 0;
        double target = sampling.topP() * sumTop(keep, n);
        for (int j = 0; j < keep; j++) {
            int id = idOf(keys[n - 1 - j]);
            keptMass += probs[id];
            kept++;
            if (keptMass >= target) {
                break;
            }
        }
        double u = rng.nextDouble() * keptMass;
        double acc = 0;
        for (int j = 0; j < kept; j++) {
            int id = idOf(keys[n - 1 - j]);
            acc += probs[id];
            if (u < acc) {
                return id;
            }
        }
        return idOf(keys[n - kept]);
    }

    /**
     * Sorts {@code a[0, n)} ascending as signed longs, exactly as {@code Arrays.sort(a, 0, n)} does, by a least
     * significant digit radix sort over 8-bit digits that skips the digits every key shares (a row of a vocabulary
     * differs in the probability's bits and the id's low two bytes only): a handful of linear passes instead of a
     * comparison sort, the top-p sampler's cost per token.
     *
     * @param scratch at least {@code n} longs
     * @param counts  {@code 8 * 256} ints
     */
    static void sortKeys(long[] a, int n, long[] scratch, int[] counts) {
        if (n < 256) {
            Arrays.sort(a, 0, n);
            return;
        }
        Arrays.fill(counts, 0);
        for (int i = 0; i < n; i++) {
            long k = a[i] ^ Long.MIN_VALUE; // signed order as unsigned order
            for (int d = 0; d < 8; d++) {
                counts[(d << 8) | (int) ((k >>> (d << 3)) & 0xFF)]++;
            }
        }
        long[] src = a;
        long[] dst = scratch;
        for (int d = 0; d < 8; d++) {
            int shift = d << 3;
            int base = d << 8;
            if (counts[base + (int) (((src[0] ^ Long.MIN_VALUE) >>> shift) & 0xFF)] == n) {
                continue; // every key has this digit: the pass would not move anything
            }
            int sum = 0;
            for (int b = 0; b < 256; b++) {
                int c = counts[base + b];
                counts[base + b] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++) {
                long k = src[i];
                dst[counts[base + (int) (((k ^ Long.MIN_VALUE) >>> shift) & 0xFF)]++] = k;
            }
            long[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) {
            System.arraycopy(src, 0, a, 0, n);
        }
    }

    private double sumTop(int keep, int n) {
        double s = 0;
        for (int j = 0; j < keep; j++) {
            s += probs[idOf(keys[n - 1 - j])];
        }
        return s;
    }

    private static int idOf(long key) {
        return Integer.MAX_VALUE - (int) (key & 0xFFFFFFFFL);
    }

    /** The index of the largest logit (the lowest on ties). */
    public static int argMax(float[] logits) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] > bestValue) {
                bestValue = logits[i];
                best = i;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("Every token is masked: nothing can be generated.");
        }
        return best;
    }

    /** {@code log softmax(logits)[token]}, computed in double. */
    public static float logProb(float[] logits, int token) {
        return logProb(logits, 0, logits.length, token);
    }

    /** {@code log softmax(row)[token]} of the row {@code logits[offset, offset + length)}, in double. */
    public static float logProb(float[] logits, int offset, int length, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + length; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return (float) (logits[offset + token] - max - Math.log(sum));
    }
}
