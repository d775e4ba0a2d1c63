package dev.mllmrec.api;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Recommender} sees: a user's recent history and the candidates to rank. It has no target, so a
 * recommender cannot peek at the answer.
 *
 * @param userId     the user
 * @param history    item ids, oldest first
 * @param candidates item ids to rank, in presentation order
 */
public record RankingRequest(String userId, List<Integer> history, List<Integer> candidates) {

    /** Validates and copies. */
    public RankingRequest {
        Objects.requireNonNull(userId, "userId");
        history = List.copyOf(history);
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("A ranking request for user " + userId + " has no candidates.");
        }
    }
}
