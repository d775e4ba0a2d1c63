package dev.mllmrec.core.lm;

import java.util.Arrays;

/**
 * Restricts which item tokens one row may generate: item tokens outside {@code allowedTokenIds} are never
 * generated, and with {@code itemFirst} the answer must start with an allowed item token (the first generated
 * token, or the token right after {@code </think>}; {@code <think>} stays allowed as the very first token).
 *
 * @param allowedTokenIds the token ids of the candidate items
 * @param itemFirst       whether the answer's first token is forced to be a candidate
 */
public record ItemConstraint(int[] allowedTokenIds, boolean itemFirst) {

    /** Validates and copies. */
    public ItemConstraint {
        allowedTokenIds = allowedTokenIds.clone();
        if (allowedTokenIds.length == 0) {
            throw new IllegalArgumentException("An item constraint needs at least one allowed item token.");
        }
        for (int id : allowedTokenIds) {
            if (id < 0) {
                throw new IllegalArgumentException("Allowed item token ids must be valid ids, got " + id
                        + " (an item without a token?).");
            }
        }
    }

    /** The allowed ids (a copy). */
    @Override
    public int[] allowedTokenIds() {
        return allowedTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ItemConstraint c && Arrays.equals(allowedTokenIds, c.allowedTokenIds)
                && itemFirst == c.itemFirst;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(allowedTokenIds) + Boolean.hashCode(itemFirst);
    }
}
