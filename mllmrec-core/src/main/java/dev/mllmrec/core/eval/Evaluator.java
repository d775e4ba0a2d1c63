package dev.mllmrec.core.eval;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.ProgressBar;
import dev.mllmrec.core.StopSignal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Evaluates any {@link Recommender} on a list of samples with the same protocol: the recommender sees only the
 * {@link RankingRequest} (no target), must return every candidate exactly once, and the target's position in its
 * ranking gives HR@K, NDCG@K and MRR. The evaluator does not break ties: a recommender that scores candidates
 * equally must order them itself, deterministically and without favouring any candidate position (for example by
 * a seeded shuffle), because the order it returns is the order that counts.
 *
 * <p>Thread-safe: stateless apart from its settings.
 */
public final class Evaluator {

    /** How many ids of each ranking the results keep. */
    public static final int TOP = 10;

    private final int batchSize;
    private final boolean progress;

    /** An evaluator that sends requests in batches of 256 and shows a progress bar. */
    public Evaluator() {
        this(256, true);
    }

    /**
     * @param batchSize requests per {@link Recommender#rankAll} call
     * @param progress  whether to draw a progress bar on standard error
     */
    public Evaluator(int batchSize, boolean progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, got " + batchSize + ".");
        }
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /**
     * Ranks every sample and scores the rankings.
     *
     * @throws IllegalStateException naming the model and sample if a ranking is not a permutation of the
     *                               candidates
     */
    public Evaluation evaluate(Recommender recommender, List<RecommendationSample> samples) {
        Objects.requireNonNull(recommender, "recommender");
        List<SampleResult> results = new ArrayList<>(samples.size());
        int[] ranks = new int[samples.size()];
        ProgressBar bar = progress ? new ProgressBar("evaluating " + recommender.name(), samples.size(), "samples")
                : null;
        try {
            for (int from = 0; from < samples.size(); from += batchSize) {
                List<RecommendationSample> batch = samples.subList(from, Math.min(samples.size(), from + batchSize));
                List<RankingRequest> requests = batch.stream().map(RecommendationSample::request).toList();
                List<Ranking> rankings = recommender.rankAll(requests);
                if (rankings == null || rankings.size() != requests.size()) {
                    throw new IllegalStateException("Recommender " + recommender.name() + " returned "
                            + (rankings == null ? "no" : rankings.size()) + " rankings for " + requests.size()
                            + " requests.");
                }
                for (int i = 0; i < batch.size(); i++) {
                    RecommendationSample s = batch.get(i);
                    Ranking r = rankings.get(i);
                    check(recommender.name(), s, r);
                    int rank = r.rankOf(s.target());
                    ranks[from + i] = rank;
                    List<Integer> top = r.items().subList(0, Math.min(TOP, r.items().size())).stream()
                            .map(ScoredItem::itemId).toList();
                    results.add(new SampleResult(s.sampleId(), s.userId(), s.target(), rank, top));
                }
                StopSignal.throwIfRequested();
                if (bar != null) {
                    bar.step(batch.size());
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        return new Evaluation(recommender.name(), results, RankingMetrics.summarize(ranks));
    }

    /**
     * Checks that {@code ranking} holds each candidate of {@code sample} exactly once and nothing else.
     *
     * @throws IllegalStateException naming the model, the sample and the problem
     */
    public static void check(String model, RecommendationSample sample, Ranking ranking) {
        String where = "Recommender " + model + " ranked sample " + sample.sampleId();
        if (ranking == null) {
            throw new IllegalStateException(where + " with no ranking.");
        }
        Set<Integer> candidates = new HashSet<>(sample.candidates());
        Set<Integer> seen = new HashSet<>();
        for (ScoredItem item : ranking.items()) {
            if (!candidates.contains(item.itemId())) {
                throw new IllegalStateException(where + " with item " + item.itemId()
                        + ", which is not a candidate.");
            }
            if (!seen.add(item.itemId())) {
                throw new IllegalStateException(where + " with item " + item.itemId() + " twice.");
            }
        }
        if (seen.size() != candidates.size()) {
            Set<Integer> missing = new HashSet<>(candidates);
            missing.removeAll(seen);
            throw new IllegalStateException(where + " without the candidates " + missing + ".");
        }
    }
}
