package dev.mllmrec.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Ranks a request's candidates for its user. Implementations document whether they are thread-safe.
 */
public interface Recommender {

    /** A short name used in reports, for example {@code popularity}. */
    String name();

    /**
     * Ranks every candidate of the request, best first. The returned ranking contains each candidate exactly
     * once.
     */
    Ranking rank(RankingRequest request);

    /** Ranks many requests; implementations may batch. The default ranks one by one. */
    default List<Ranking> rankAll(List<RankingRequest> requests) {
        List<Ranking> out = new ArrayList<>(requests.size());
        for (RankingRequest r : requests) {
            out.add(rank(r));
        }
        return out;
    }
}
