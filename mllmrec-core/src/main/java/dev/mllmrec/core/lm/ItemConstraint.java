package dev.mllmrec.core.lm;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Restricts which item tokens one row may generate: item tokens outside {@code allowedTokenIds} are never
 * generated, and with {@code itemFirst} the answer must start with an allowed item token (the first generated
 * token, or the token right after {@code </think>}; with {@code thinkFirst}, {@code <think>} stays allowed as the
 * very first token). With {@code continuations}, generating an allowed item token commits the row to that item's
 * whole answer line: the continuation's tokens (typically the item's title and the end of sequence) follow,
 * forced one by one, so every answer is a well-formed line for one of the candidates and only the choice of the
 * item is sampled.
 *
 * @param allowedTokenIds the token ids of the candidate items
 * @param itemFirst       whether the answer's first token is forced to be a candidate
 * @param thinkFirst      whether {@code <think>} may open the answer instead (only with {@code itemFirst})
 * @param continuations   per allowed item token id, the tokens forced after it (empty: nothing is forced); copied
 *                        on construction and unmodifiable, its arrays read-only (use {@link #continuation} for a copy)
 */
public record ItemConstraint(int[] allowedTokenIds, boolean itemFirst, boolean thinkFirst,
                             Map<Integer, int[]> continuations) {

    /** Candidates only, with {@code <think>} allowed first and nothing forced after the item. */
    public ItemConstraint(int[] allowedTokenIds, boolean itemFirst) {
        this(allowedTokenIds, itemFirst, true, Map.of());
    }

    /** Validates and copies. */
    public ItemConstraint {
        allowedTokenIds = allowedTokenIds.clone();
        Map<Integer, int[]> copy = new HashMap<>();
        for (Map.Entry<Integer, int[]> e : continuations.entrySet()) {
            copy.put(e.getKey(), e.getValue().clone());
        }
        continuations = Collections.unmodifiableMap(copy);
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

    /** The tokens forced after {@code itemTokenId}, or null when none are. */
    public int[] continuation(int itemTokenId) {
        int[] c = continuations.get(itemTokenId);
        return c == null ? null : c.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ItemConstraint c) || !Arrays.equals(allowedTokenIds, c.allowedTokenIds)
                || itemFirst != c.itemFirst || thinkFirst != c.thinkFirst
                || !continuations.keySet().equals(c.continuations.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, int[]> e : continuations.entrySet()) {
            if (!Arrays.equals(e.getValue(), c.continuations.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 31 * Arrays.hashCode(allowedTokenIds) + Boolean.hashCode(itemFirst);
        h = 31 * h + Boolean.hashCode(thinkFirst);
        for (Map.Entry<Integer, int[]> e : continuations.entrySet()) {
            h += e.getKey() ^ Arrays.hashCode(e.getValue());
        }
        return h;
    }
}
