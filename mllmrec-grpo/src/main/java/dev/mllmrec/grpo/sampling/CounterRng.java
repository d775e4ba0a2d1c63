package dev.mllmrec.grpo.sampling;

import dev.mllmrec.core.Seeds;

/**
 * A counter-based (stateless) random number generator: the value for {@code (stream, counter)} is a pure function of
 * the seed and those two numbers, in the style of Philox but built from SplitMix64's output function
 * ({@link #mix64(long)}). So a sampler can draw the uniform for row {@code r} of decoding step {@code t} as
 * {@code uniform(t, r)} in any order, on any thread, and a resumed run draws exactly what an uninterrupted one would
 * have: the seed is the whole RNG state. Statistical quality is that of SplitMix64; it is not cryptographic.
 *
 * <p>Immutable and thread-safe.
 */
public final class CounterRng {

    private static final long GOLDEN = Seeds.GOLDEN_GAMMA;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private final long seed;

    /** A generator for {@code seed}. */
    public CounterRng(long seed) {
        this.seed = seed;
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** 64 random bits for {@code (stream, counter)}. */
    public long bits(long stream, long counter) {
        long key = mix64(seed + GOLDEN * (stream + 1));
        return mix64(key + GOLDEN * (counter + 1));
    }

    /**
     * A uniform double in {@code [0, 1)} with 53 random bits: {@code (bits >>> 11) * 2^-53}, so at most
     * {@code 1 - 2^-53}.
     */
    public double uniform(long stream, long counter) {
        return (bits(stream, counter) >>> 11) * DOUBLE_UNIT;
    }

    /** Uniforms for counters {@code 0 .. n-1} of {@code stream} (for example one per row of a decoding step). */
    public double[] uniforms(long stream, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = uniform(stream, i);
        }
        return out;
    }

    /** SplitMix64's output function: {@link Seeds#mix}. */
    public static long mix64(long z) {
        return Seeds.mix(z);
    }
}
