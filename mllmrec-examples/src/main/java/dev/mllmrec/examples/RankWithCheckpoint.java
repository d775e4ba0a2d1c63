package dev.mllmrec.examples;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.core.rec.PolicyRanker;
import java.nio.file.Path;
import java.util.List;

/**
 * Ranks candidates with a trained policy: GRPO's best checkpoint of a work directory (written by
 * {@link TrainInMemory} or {@code pipeline}). Usage: {@code RankWithCheckpoint WORK_DIR}.
 */
public final class RankWithCheckpoint {

    private RankWithCheckpoint() {
    }

    /** Runs the example. */
    public static void main(String[] args) {
        try (PolicyRanker ranker = PolicyRanker.load(Path.of(args.length > 0 ? args[0] : "work"))) {
            PolicyRanker.Provenance p = ranker.provenance();
            System.out.println("loaded " + p.checkpoint() + " (data " + p.dataFingerprint() + ", seed " + p.seed()
                    + ", " + p.versions() + ")");
            List<Integer> history = List.of(2, 5, 8, 11, 14);        // the user's most recent items, oldest first
            List<Integer> candidates = List.of(3, 6, 9, 17, 20);     // what to rank
            Ranking one = ranker.rank(new RankingRequest("u1", history, candidates));
            System.out.println("u1: " + one.ids());
            List<Ranking> batch = ranker.rankAll(List.of(            // many requests are scored in batches
                    new RankingRequest("u1", history, candidates),
                    new RankingRequest("u2", List.of(1, 4, 7), List.of(10, 13, 16, 2))));
            System.out.println("batch: " + batch.get(0).ids() + " " + batch.get(1).ids());
        }
    }
}
