package dev.mllmrec.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranking metrics for one relevant item per sample, from its 0-based rank {@code r} in the ranked candidates:
 * HR@K = 1 if {@code r < K}; NDCG@K = {@code 1 / log2(r + 2)} if {@code r < K} (the ideal DCG is 1); reciprocal
 * rank = {@code 1 / (r + 1)}. Averages over samples give HR@K, NDCG@K and MRR.
 *
 * <p>Thread-safe: stateless.
 */
public final class RankingMetrics {

    /** The cut-offs reported: 1, 3, 5, 10. */
    public static final List<Integer> CUTOFFS = List.of(1, 3, 5, 10);

    private static final double LN2 = Math.log(2);

    private RankingMetrics() {
    }

    /** 1 if the 0-based {@code rank} is within the top {@code k}, else 0. */
    public static double hitRate(int rank, int k) {
        check(rank, k);
        return rank < k ? 1.0 : 0.0;
    }

    /** {@code 1 / log2(rank + 2)} if the 0-based {@code rank} is within the top {@code k}, else 0. */
    public static double ndcg(int rank, int k) {
        check(rank, k);
        return rank < k ? LN2 / Math.log(rank + 2.0) : 0.0;
    }

    /** {@code 1 / (rank + 1)}. */
    public static double reciprocalRank(int rank) {
        check(rank, 1);
        return 1.0 / (rank + 1.0);
    }

    /**
     * The mean metrics over 0-based ranks, keyed {@code HR@K}, {@code NDCG@K} (K in {@link #CUTOFFS}) and
     * {@code MRR}; all 0 for no ranks.
     */
    public static Map<String, Double> summarize(int[] ranks) {
        Map<String, Double> out = new LinkedHashMap<>();
        int n = ranks.length;
        for (int k : CUTOFFS) {
            double sum = 0;
            for (int r : ranks) {
                sum += hitRate(r, k);
            }
            out.put("HR@" + k, n == 0 ? 0.0 : sum / n);
        }
        for (int k : CUTOFFS) {
            double sum = 0;
            for (int r : ranks) {
                sum += ndcg(r, k);
            }
            out.put("NDCG@" + k, n == 0 ? 0.0 : sum / n);
        }
        double sum = 0;
        for (int r : ranks) {
            sum += reciprocalRank(r);
        }
        out.put("MRR", n == 0 ? 0.0 : sum / n);
        return out;
    }

    private static void check(int rank, int k) {
        if (rank < 0) {
            throw new IllegalArgumentException("A rank must be 0 or more, got " + rank + ".");
        }
        if (k < 1) {
            throw new IllegalArgumentException("A cut-off must be at least 1, got " + k + ".");
        }
    }
}
