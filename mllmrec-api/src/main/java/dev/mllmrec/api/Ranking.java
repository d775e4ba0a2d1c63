package dev.mllmrec.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Candidates ordered from best to worst.
 *
 * @param userId the user the ranking is for
 * @param items  scored items, best first
 */
public record Ranking(String userId, List<ScoredItem> items) {

    /** Copies. */
    public Ranking {
        items = List.copyOf(items);
    }

    /**
     * Sorts scored items by descending score; ties keep the order given (so a caller controls tie-breaking).
     */
    public static Ranking sorted(String userId, List<ScoredItem> scored) {
        List<ScoredItem> copy = new ArrayList<>(scored);
        copy.sort(Comparator.comparingDouble(ScoredItem::score).reversed());
        return new Ranking(userId, copy);
    }

    /** The 0-based rank of {@code itemId}, or {@code -1} when it is absent. */
    public int rankOf(int itemId) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).itemId() == itemId) {
                return i;
            }
        }
        return -1;
    }

    /** The ids in rank order. */
    public List<Integer> ids() {
        return items.stream().map(ScoredItem::itemId).toList();
    }
}
