package dev.mllmrec.api;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One next-item prediction problem: a history, the true next item, and the candidate list that contains it.
 *
 * @param sampleId   a stable id, unique within its split (for example {@code u42-test})
 * @param userId     the user
 * @param history    the last items before the target, oldest first
 * @param target     the true next item
 * @param candidates the target and the negatives, shuffled, without duplicates
 */
public record RecommendationSample(String sampleId, String userId, List<Integer> history, int target,
                                   List<Integer> candidates) {

    /** Validates and copies. */
    public RecommendationSample {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(userId, "userId");
        history = List.copyOf(history);
        candidates = List.copyOf(candidates);
        if (!candidates.isEmpty() && !candidates.contains(target)) {
            throw new IllegalArgumentException("Sample " + sampleId + ": target " + target
                    + " is not among its candidates " + candidates + ".");
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer c : candidates) {
            if (!seen.add(c)) {
                throw new IllegalArgumentException("Sample " + sampleId + ": candidate " + c + " appears twice.");
            }
        }
    }

    /** The request a recommender sees (no target). */
    public RankingRequest request() {
        return new RankingRequest(userId, history, candidates);
    }

    /** The number of negatives. */
    public int negatives() {
        return candidates.size() - 1;
    }
}
