package dev.mllmrec.core;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The one seeded-random utility: the SplitMix64 mix ({@link #mix}) that every seeded stream here is built on
 * ({@code SeededRandom}, {@code Dropout}'s masks, the augmenter's keys), and seed derivation: one user-given seed fans out into independent, reproducible streams, one per named unit of work
 * (a sample id, a request), so results never depend on iteration or thread order.
 *
 * <p>Thread-safe: stateless.
 */
public final class Seeds {

    /** The default seed of every command and builder (the reference implementation's seed). */
    public static final long DEFAULT_SEED = 42L;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Seeds() {
    }

    /** The SplitMix64 finaliser: a bijective 64-bit mix with good avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The golden-ratio increment of SplitMix64's state (Weyl sequence). */
    public static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    /** A stable 64-bit hash of a string's UTF-8 bytes (FNV-1a, then mixed); identical on every JVM. */
    public static long hash(String text) {
        return mix(fnv1a(text));
    }

    /** The plain 64-bit FNV-1a hash of a string's UTF-8 bytes (not mixed; see {@link #hash}). */
    public static long fnv1a(String text) {
        long h = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= FNV_PRIME;
        }
        return h;
    }

    /** Combines a seed with a 64-bit value into a new seed. */
    public static long derive(long seed, long value) {
        return mix(mix(seed + GOLDEN_GAMMA) ^ value);
    }

    /** Combines a seed with a name (for example a sample id) into a new seed. */
    public static long derive(long seed, String name) {
        return derive(seed, hash(name));
    }

    /** A random stream private to {@code name} under {@code seed}. */
    public static SplittableRandom random(long seed, String name) {
        return new SplittableRandom(derive(seed, name));
    }
}
