package dev.mllmrec.core.baseline;

import dev.mllmrec.core.Seeds;

/**
 * A seeded, per-item tie-break key: items with equal scores are ordered by {@code key(item)} ascending, which is
 * deterministic for a seed but unrelated to item ids or candidate positions, so ties never favour the target.
 *
 * <p>Thread-safe: immutable.
 */
final class TieBreak {

    private final long seed;

    TieBreak(long seed) {
        this.seed = Seeds.derive(seed, "tie-break");
    }

    long key(int itemId) {
        return Seeds.derive(seed, itemId);
    }
}
