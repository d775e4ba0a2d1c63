package dev.mllmrec.core.sasrec;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The leave-one-out protocol SASRec validates itself with, self-contained so the model can be trained and measured
 * on its own: the last item of each user is the test target, the second to last the validation target; a request
 * shows the {@code historyLength} items before the target and the target among {@code negatives} items drawn
 * uniformly from the catalog minus that history and the target, shuffled, all seeded per user. The shared evaluator
 * supersedes it for reported comparisons.
 *
 * <p>Thread-safe: stateless.
 */
public final class HoldOut {

    /** Offset from the end of the test target. */
    public static final int TEST = 1;
    /** Offset from the end of the validation target. */
    public static final int VALIDATION = 2;

    /** The cut-offs {@link #metrics} reports. */
    private static final int[] HR_AT = {1, 3, 5, 10};
    private static final int[] NDCG_AT = {3, 5, 10};

    private HoldOut() {
    }

    /**
     * Each user's sequence without its last {@code heldOut} items (users left with fewer than two items are dropped):
     * the training prefixes, with {@code heldOut = 2}.
     */
    public static List<UserHistory> prefixes(List<UserHistory> fullSequences, int heldOut) {
        List<UserHistory> out = new ArrayList<>(fullSequences.size());
        for (UserHistory h : fullSequences) {
            if (h.size() - heldOut >= 2) {
                out.add(new UserHistory(h.userId(), h.items().subList(0, h.size() - heldOut)));
            }
        }
        return out;
    }

    /**
     * One sample per user whose target is {@code fromEnd} items from the end ({@link #TEST} or {@link #VALIDATION}).
     * Users without at least one history item before that target are skipped.
     *
     * @param fullSequences each user's full chronological sequence
     * @param catalog       the items negatives are drawn from
     * @throws IllegalArgumentException when the catalog is too small to draw the negatives
     */
    public static List<RecommendationSample> samples(List<UserHistory> fullSequences, int fromEnd, int historyLength,
                                                     int negatives, Collection<Integer> catalog, long seed) {
        if (fromEnd < 1 || historyLength < 1 || negatives < 0) {
            throw new IllegalArgumentException("Hold-out needs fromEnd >= 1, historyLength >= 1 and negatives >= 0;"
                    + " got " + fromEnd + ", " + historyLength + ", " + negatives + ".");
        }
        int[] pool = catalog.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        String split = fromEnd == TEST ? "test" : fromEnd == VALIDATION ? "validation" : "holdout" + fromEnd;
        List<RecommendationSample> out = new ArrayList<>();
        for (UserHistory h : fullSequences) {
            int t = h.size() - fromEnd;
            if (t < 1) {
                continue;
            }
            int target = h.items().get(t);
            List<Integer> history = h.items().subList(Math.max(0, t - historyLength), t);
            Set<Integer> excluded = new HashSet<>(history);
            excluded.add(target);
            if (pool.length - countIn(pool, excluded) < negatives) {
                throw new IllegalArgumentException("The catalog of " + pool.length + " items is too small to draw "
                        + negatives + " negatives for user " + h.userId() + ".");
            }
            Random rnd = new Random(seed ^ (h.userId().hashCode() * 0x9E3779B97F4A7C15L) ^ fromEnd);
            List<Integer> candidates = new ArrayList<>(negatives + 1);
            candidates.add(target);
            Set<Integer> chosen = new HashSet<>(excluded);
            while (candidates.size() < negatives + 1) {
                int c = pool[rnd.nextInt(pool.length)];
                if (chosen.add(c)) {
                    candidates.add(c);
                }
            }
            Collections.shuffle(candidates, rnd);
            out.add(new RecommendationSample(h.userId() + "-" + split, h.userId(), history, target, candidates));
        }
        return out;
    }

    private static int countIn(int[] sortedPool, Set<Integer> items) {
        int n = 0;
        for (int i : items) {
            if (Arrays.binarySearch(sortedPool, i) >= 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * HR@1/3/5/10, NDCG@3/5/10 and MRR of {@code rankings} against their samples' targets (in the same order), plus
     * {@code count}. A target missing from its ranking counts as a miss.
     */
    public static Map<String, Double> metrics(List<RecommendationSample> samples, List<Ranking> rankings) {
        if (samples.size() != rankings.size()) {
            throw new IllegalArgumentException(samples.size() + " samples but " + rankings.size() + " rankings.");
        }
        double[] hr = new double[HR_AT.length];
        double[] ndcg = new double[NDCG_AT.length];
        double mrr = 0;
        for (int i = 0; i < samples.size(); i++) {
            int rank = rankings.get(i).rankOf(samples.get(i).target());
            if (rank < 0) {
                continue;
            }
            for (int k = 0; k < HR_AT.length; k++) {
                hr[k] += rank < HR_AT[k] ? 1 : 0;
            }
            for (int k = 0; k < NDCG_AT.length; k++) {
                ndcg[k] += rank < NDCG_AT[k] ? 1.0 / (Math.log(rank + 2) / Math.log(2)) : 0;
            }
            mrr += 1.0 / (rank + 1);
        }
        double n = Math.max(1, samples.size());
        Map<String, Double> out = new LinkedHashMap<>();
        for (int k = 0; k < HR_AT.length; k++) {
            out.put("HR@" + HR_AT[k], hr[k] / n);
        }
        for (int k = 0; k < NDCG_AT.length; k++) {
            out.put("NDCG@" + NDCG_AT[k], ndcg[k] / n);
        }
        out.put("MRR", mrr / n);
        out.put("count", (double) samples.size());
        return out;
    }
}
