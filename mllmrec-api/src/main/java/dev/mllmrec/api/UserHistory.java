package dev.mllmrec.api;

import java.util.List;
import java.util.Objects;

/**
 * A user's interactions in chronological order (ties broken by item id).
 *
 * @param userId the user
 * @param items  item ids, oldest first
 */
public record UserHistory(String userId, List<Integer> items) {

    /** Validates and copies. */
    public UserHistory {
        Objects.requireNonNull(userId, "userId");
        items = List.copyOf(items);
    }

    /** The number of interactions. */
    public int size() {
        return items.size();
    }
}
