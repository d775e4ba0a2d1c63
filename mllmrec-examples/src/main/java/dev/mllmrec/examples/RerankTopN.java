package dev.mllmrec.examples;

import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.baseline.PopularityRecommender;
import dev.mllmrec.core.rec.PolicyRanker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy as a re-ranker behind an existing recommender: that recommender (here a popularity ranking, standing in
 * for yours) proposes its top 20, the policy orders them. Usage: {@code RerankTopN WORK_DIR} (a trained work
 * directory, see {@link TrainInMemory}).
 */
public final class RerankTopN {

    private RerankTopN() {
    }

    /** Runs the example. */
    public static void main(String[] args) {
        List<List<Integer>> sequences = ToyData.histories().stream().map(UserHistory::items).toList();
        PopularityRecommender existing = PopularityRecommender.fit(sequences, 42);
        try (PolicyRanker ranker = PolicyRanker.load(Path.of(args.length > 0 ? args[0] : "work"))) {
            List<Integer> history = List.of(2, 5, 8, 11, 14);
            List<Integer> everything = new ArrayList<>();
            for (int id : ranker.catalog().ids()) {
                if (!history.contains(id)) {
                    everything.add(id);
                }
            }
            List<Integer> top20 = existing.rank(new RankingRequest("u1", history, everything)).ids().subList(0, 20);
            List<Integer> reranked = ranker.rerank("u1", history, top20);
            System.out.println("existing top 20: " + top20);
            System.out.println("re-ranked:       " + reranked);
        }
    }
}
