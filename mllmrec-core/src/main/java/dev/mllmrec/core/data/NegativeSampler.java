package dev.mllmrec.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * How negatives are drawn for a sample: uniformly from the catalog, without replacement, never the target and never
 * an excluded item. The strategies differ only in what they exclude.
 *
 * <p>Thread-safe: stateless (the caller owns the random stream).
 */
public enum NegativeSampler {

    /** Excludes the history window and the target: the reference implementation's behaviour. */
    UNIFORM_WINDOW,

    /** Excludes every item the user ever interacted with (before or after the target), and the target. */
    UNIFORM_USER;

    /** The lower-case, hyphenated name, for example {@code uniform-window}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses {@code uniform-window} or {@code uniform-user} (any case, {@code -} or {@code _}).
     *
     * @throws IllegalArgumentException naming the value when it is unknown
     */
    public static NegativeSampler parse(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (NegativeSampler s : values()) {
            if (s.name().equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown negative sampler '" + text
                + "'; expected uniform-window or uniform-user.");
    }

    /** The items this strategy keeps out of the negatives of one sample. */
    public Set<Integer> excluded(List<Integer> history, int target, List<Integer> userItems) {
        Set<Integer> out = new HashSet<>(this == UNIFORM_USER ? userItems : history);
        out.add(target);
        return out;
    }

    /**
     * Draws {@code count} distinct negatives from {@code pool} that are not in {@code excluded}, in draw order.
     * {@code pool} holds distinct ids in ascending order, as {@code Catalog.ids()} returns them.
     *
     * @throws IllegalArgumentException if the pool has fewer than {@code count} allowed items
     */
    public static List<Integer> draw(int[] pool, Set<Integer> excluded, int count, SplittableRandom random) {
        if (count < 0) {
            throw new IllegalArgumentException("The number of negatives must not be negative, got " + count + ".");
        }
        int excludedInPool = 0;
        for (Integer id : excluded) {
            if (Arrays.binarySearch(pool, id) >= 0) {
                excludedInPool++;
            }
        }
        int allowed = pool.length - excludedInPool;
        if (allowed < count) {
            throw new IllegalArgumentException("Cannot draw " + count + " negatives: the catalog of " + pool.length
                    + " items has only " + allowed + " items outside the excluded ones.");
        }
        List<Integer> out = new ArrayList<>(count);
        if (allowed >= 2 * count) {
            // Rejection sampling: expected draws < 2 per negative.
            Set<Integer> taken = new HashSet<>();
            while (out.size() < count) {
                int id = pool[random.nextInt(pool.length)];
                if (!excluded.contains(id) && taken.add(id)) {
                    out.add(id);
                }
            }
        } else {
            // Dense case: partial Fisher-Yates over the allowed items.
            int[] free = new int[allowed];
            int k = 0;
            for (int id : pool) {
                if (!excluded.contains(id)) {
                    free[k++] = id;
                }
            }
            for (int i = 0; i < count; i++) {
                int j = i + random.nextInt(allowed - i);
                int tmp = free[i];
                free[i] = free[j];
                free[j] = tmp;
                out.add(free[i]);
            }
        }
        return out;
    }
}
