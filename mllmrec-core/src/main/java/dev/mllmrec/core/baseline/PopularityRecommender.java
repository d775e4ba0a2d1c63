package dev.mllmrec.core.baseline;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranks candidates by how often they occur in the training sequences (most popular first); equal counts are ordered
 * by a seeded per-item key, never by candidate position.
 *
 * <p>Thread-safe: immutable after {@link #fit}.
 */
public final class PopularityRecommender implements Recommender {

    /** The name used in reports. */
    public static final String NAME = "popularity";

    private final Map<Integer, Integer> counts;
    private final TieBreak tieBreak;

    private PopularityRecommender(Map<Integer, Integer> counts, long seed) {
        this.counts = Collections.unmodifiableMap(counts);
        this.tieBreak = new TieBreak(seed);
    }

    /**
     * Counts item occurrences in {@code trainingSequences} (for leave-one-out data: each user's training prefix, see
     * {@code LeaveOneOut.trainingPrefixes}).
     */
    public static PopularityRecommender fit(List<? extends List<Integer>> trainingSequences, long seed) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (List<Integer> seq : trainingSequences) {
            for (Integer id : seq) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        return new PopularityRecommender(counts, seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The training count of {@code itemId} (0 when unseen). */
    public int count(int itemId) {
        return counts.getOrDefault(itemId, 0);
    }

    /** Orders by count descending, then by the tie-break key. */
    Comparator<Integer> order() {
        return Comparator.<Integer>comparingInt(this::count).reversed()
                .thenComparingLong(tieBreak::key);
    }

    @Override
    public Ranking rank(RankingRequest request) {
        List<Integer> order = new ArrayList<>(request.candidates());
        order.sort(order());
        List<ScoredItem> items = new ArrayList<>(order.size());
        for (Integer id : order) {
            items.add(new ScoredItem(id, count(id)));
        }
        return new Ranking(request.userId(), items);
    }
}
