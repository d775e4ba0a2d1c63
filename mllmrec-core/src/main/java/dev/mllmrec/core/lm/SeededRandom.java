package dev.mllmrec.core.lm;

import dev.mllmrec.core.Seeds;

/**
 * A small, fast, seeded random number generator (SplitMix64) whose whole state is one {@code long}, so it can be
 * saved in a checkpoint and restored exactly. The same seed always gives the same sequence, on every JVM.
 *
 * <p>Not thread-safe: give each thread its own instance (see {@link #split()}).
 */
public final class SeededRandom {

    private static final double DOUBLE_UNIT = 0x1.0p-53;
    private static final float FLOAT_UNIT = 0x1.0p-24f;

    private long state;

    /** A generator seeded with {@code seed}. */
    public SeededRandom(long seed) {
        this.state = seed;
    }

    /** The full state; {@link #setState} with it continues the exact same sequence. */
    public long state() {
        return state;
    }

    /** Restores a state from {@link #state()}. */
    public void setState(long state) {
        this.state = state;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        return Seeds.mix(state += Seeds.GOLDEN_GAMMA);
    }

    /** A uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }

    /** A uniform float in [0, 1). */
    public float nextFloat() {
        return (nextLong() >>> 40) * FLOAT_UNIT;
    }

    /** A uniform int in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("The bound must be positive, got " + bound + ".");
        }
        // Lemire's multiply-shift with rejection: unbiased.
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /**
     * A standard normal variate (Box-Muller; the spare value is not cached, so the sequence depends only on
     * {@link #state()}).
     */
    public double nextGaussian() {
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 <= Double.MIN_NORMAL);
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A new generator seeded from this one (advances this one by one step). */
    public SeededRandom split() {
        return new SeededRandom(nextLong());
    }

    /** Shuffles {@code a} in place (Fisher-Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Mixes two values into a well-spread seed, for deriving per-epoch or per-row seeds. */
    public static long mix(long a, long b) {
        SeededRandom r = new SeededRandom(a ^ Long.rotateLeft(b, 32) ^ 0x2545F4914F6CDD1DL);
        r.nextLong();
        return r.nextLong();
    }
}
