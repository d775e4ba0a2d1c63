package dev.mllmrec.grpo.sampling;

import java.util.Arrays;
import java.util.Objects;

/**
 * Temperature plus top-p (nucleus) sampling of one token per row: the plain-Java reference.
 *
 * <p>The exact rule, shared with {@link DjlTopPSampler} (all arithmetic in {@code double}):
 * <ol>
 *   <li>{@code p = softmax(logits / temperature)};</li>
 *   <li>sort {@code p} descending into {@code q}; with {@code c = cumsum(q)} (sequential), keep rank {@code k} when
 *       {@code c[k] - q[k] < topP} (the probability mass strictly before it is below {@code topP}; rank 0 is always
 *       kept); {@code tau} is the smallest kept {@code q};</li>
 *   <li>the support is {@code {j : p[j] >= tau}} — defined by value, so ties at the boundary are all in and the
 *       order among equal probabilities never matters;</li>
 *   <li>given a uniform {@code u} in {@code [0, 1)}, with {@code C = cumsum(p * [j in support])} in vocabulary order,
 *       the token is the first {@code j} with {@code C[j] > u * C[V-1]} (inverse CDF of the renormalised support;
 *       {@code u < 1} makes this land in the support).</li>
 * </ol>
 * Step 2 matches Hugging Face's {@code TopPLogitsWarper} and vLLM (a token is dropped once the mass before it reaches
 * {@code topP}). Sampling in vocabulary order rather than in sorted order gives the same distribution and makes the
 * result independent of how a sort orders ties.
 *
 * <p>This implementation avoids a full sort: one pass buckets the probabilities by binary exponent and finds the
 * highest-probability buckets holding at least {@code topP} of the mass; only those candidates are sorted. Immutable
 * and thread-safe (each call allocates its own work arrays).
 */
public final class TopPSampler {

    private static final int BUCKETS = 65; // exponents 0 .. -63, and everything smaller
    private static final double MARGIN = 1e-9; // candidate mass must exceed topP by this much (rounding slack)

    private final double temperature;
    private final double topP;

    /**
     * A sampler.
     *
     * @param temperature positive; logits are divided by it
     * @param topP        in {@code (0, 1]}; 1 keeps every token with non-zero probability
     */
    public TopPSampler(double temperature, double topP) {
        if (!(temperature > 0.0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("The temperature must be finite and positive, got " + temperature
                    + ".");
        }
        if (!(topP > 0.0 && topP <= 1.0)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP + ".");
        }
        this.temperature = temperature;
        this.topP = topP;
    }

    /** The temperature. */
    public double temperature() {
        return temperature;
    }

    /** The nucleus mass. */
    public double topP() {
        return topP;
    }

    /**
     * Samples one token per row.
     *
     * @param logits   {@code rows x vocab}, row-major
     * @param rows     number of rows
     * @param vocab    vocabulary size
     * @param uniforms one uniform in {@code [0, 1)} per row
     * @return the sampled token ids
     */
    public int[] sample(float[] logits, int rows, int vocab, double[] uniforms) {
        checkShape(logits, rows, vocab);
        Objects.requireNonNull(uniforms, "uniforms");
        if (uniforms.length != rows) {
            throw new IllegalArgumentException("Expected " + rows + " uniforms, got " + uniforms.length + ".");
        }
        Work w = new Work(vocab);
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            double u = uniforms[r];
            if (!(u >= 0.0 && u < 1.0)) {
                throw new IllegalArgumentException("Uniform " + r + " is " + u + "; it must be in [0, 1).");
            }
            double tau = threshold(logits, r * vocab, vocab, w);
            out[r] = draw(w.probs, vocab, tau, u);
        }
        return out;
    }

    /** Samples one token per row with uniforms {@code rng.uniform(step, row)}. */
    public int[] sample(float[] logits, int rows, int vocab, CounterRng rng, long step) {
        return sample(logits, rows, vocab, rng.uniforms(step, rows));
    }

    /** The top-p support of each row, {@code rows x vocab} row-major (for inspection and tests). */
    public boolean[] support(float[] logits, int rows, int vocab) {
        checkShape(logits, rows, vocab);
        Work w = new Work(vocab);
        boolean[] out = new boolean[rows * vocab];
        for (int r = 0; r < rows; r++) {
            double tau = threshold(logits, r * vocab, vocab, w);
            for (int j = 0; j < vocab; j++) {
                out[r * vocab + j] = w.probs[j] >= tau;
            }
        }
        return out;
    }

    /** Fills {@code w.probs} with the row's probabilities and returns the support threshold {@code tau}. */
    private double threshold(float[] logits, int off, int vocab, Work w) {
        double[] p = w.probs;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            double z = (double) logits[off + j] / temperature;
            p[j] = z;
            max = Math.max(max, z);
        }
        if (!Double.isFinite(max)) {
            throw new IllegalArgumentException("Row starting at " + off + " has no finite maximum logit (" + max
                    + ").");
        }
        double sum = 0;
        for (int j = 0; j < vocab; j++) {
            double e = Math.exp(p[j] - max);
            p[j] = e;
            sum += e;
        }
        double[] mass = w.bucketMass;
        int[] count = w.bucketCount;
        Arrays.fill(mass, 0.0);
        Arrays.fill(count, 0);
        for (int j = 0; j < vocab; j++) {
            double q = p[j] / sum;
            p[j] = q;
            int b = bucket(q);
            mass[b] += q;
            count[b]++;
        }
        // The highest buckets whose mass reaches topP contain the whole support: the first token below them has at
        // least that much mass before it.
        int last = 0;
        int n = 0;
        double acc = 0;
        for (; last < BUCKETS; last++) {
            acc += mass[last];
            n += count[last];
            if (acc >= topP + MARGIN) {
                break;
            }
        }
        last = Math.min(last, BUCKETS - 1);
        double[] cand = w.candidates(n);
        int k = 0;
        for (int j = 0; j < vocab; j++) {
            if (bucket(p[j]) <= last) {
                cand[k++] = p[j];
            }
        }
        Arrays.sort(cand, 0, n);
        double incl = 0;
        double tau = Double.POSITIVE_INFINITY;
        for (int i = n - 1; i >= 0; i--) {
            double q = cand[i];
            incl += q;
            if (incl - q < topP) {
                tau = Math.min(tau, q);
            }
        }
        return tau;
    }

    private static int draw(double[] p, int vocab, double tau, double u) {
        double total = 0;
        for (int j = 0; j < vocab; j++) {
            if (p[j] >= tau) {
                total += p[j];
            }
        }
        double target = u * total;
        double c = 0;
        int lastIn = -1;
        for (int j = 0; j < vocab; j++) {
            if (p[j] >= tau) {
                c += p[j];
                lastIn = j;
                if (c > target) {
                    return j;
                }
            }
        }
        throw new IllegalStateException("Inverse-CDF sampling fell off the support (u=" + u + ", total=" + total
                + ", last support token " + lastIn + ").");
    }

    private static int bucket(double q) {
        return Math.min(-Math.getExponent(q), BUCKETS - 1);
    }

    private static void checkShape(float[] logits, int rows, int vocab) {
        Objects.requireNonNull(logits, "logits");
        if (rows < 1 || vocab < 1 || (long) rows * vocab != logits.length) {
            throw new IllegalArgumentException("Expected " + rows + " rows x " + vocab + " logits, got "
                    + logits.length + " values.");
        }
    }

    @Override
    public String toString() {
        return "TopPSampler[temperature=" + temperature + ", topP=" + topP + "]";
    }

    /** Per-call work arrays. */
    private static final class Work {
        final double[] probs;
        final double[] bucketMass = new double[BUCKETS];
        final int[] bucketCount = new int[BUCKETS];
        private double[] cand = new double[0];

        Work(int vocab) {
            probs = new double[vocab];
        }

        double[] candidates(int n) {
            if (cand.length < n) {
                cand = new double[Math.max(n, cand.length * 2)];
            }
            return cand;
        }
    }
}
