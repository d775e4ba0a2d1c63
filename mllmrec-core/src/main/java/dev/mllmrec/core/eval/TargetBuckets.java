package dev.mllmrec.core.eval;

import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.data.LeaveOneOut;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits evaluation results by how often the target occurred in training: {@code cold} (never), {@code rare} (1 to
 * 4 times) and {@code rest} (5 or more). Content should help most where a model has seen an item least.
 *
 * <p>Thread-safe: stateless.
 */
public final class TargetBuckets {

    /** The buckets, in reporting order. */
    public static final List<String> NAMES = List.of("cold", "rare", "rest");
    /** Targets seen fewer times than this (and at least once) are rare. */
    public static final int RARE_BELOW = 5;

    private TargetBuckets() {
    }

    /**
     * Each item's number of training interactions: its occurrences in the users' training prefixes (the sequences
     * without their validation and test items, {@link LeaveOneOut#trainingPrefixes}).
     */
    public static Map<Integer, Integer> trainingCounts(List<UserHistory> sequences) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (List<Integer> prefix : LeaveOneOut.trainingPrefixes(sequences)) {
            prefix.forEach(id -> counts.merge(id, 1, Integer::sum));
        }
        return counts;
    }

    /** The bucket of a target seen {@code trainingCount} times in training. */
    public static String of(int trainingCount) {
        return trainingCount <= 0 ? "cold" : trainingCount < RARE_BELOW ? "rare" : "rest";
    }

    /**
     * {@link RankingMetrics#summarize} of each bucket's results plus its {@code count}; buckets without results are
     * left out.
     *
     * @param trainingCounts each item's number of training interactions (absent: 0)
     */
    public static Map<String, Map<String, Double>> metrics(List<SampleResult> results,
                                                           Map<Integer, Integer> trainingCounts) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String bucket : NAMES) {
            int[] ranks = results.stream()
                    .filter(r -> of(trainingCounts.getOrDefault(r.target(), 0)).equals(bucket))
                    .mapToInt(SampleResult::rank).toArray();
            if (ranks.length > 0) {
                Map<String, Double> m = new LinkedHashMap<>(RankingMetrics.summarize(ranks));
                m.put("count", (double) ranks.length);
                out.put(bucket, m);
            }
        }
        return out;
    }
}
