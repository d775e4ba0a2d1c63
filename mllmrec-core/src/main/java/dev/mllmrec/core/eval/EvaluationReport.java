package dev.mllmrec.core.eval;

import java.util.Map;

/**
 * The evaluation summary written to {@code W/eval/<model>-neg<m>-<split>.json}.
 *
 * @param model     the model name
 * @param dataset   the dataset name
 * @param split     the split ({@code test} or {@code validation})
 * @param negatives negatives per sample
 * @param users     samples evaluated (one per user on the validation and test splits)
 * @param metrics   HR@1/3/5/10, NDCG@1/3/5/10 and MRR
 * @param seed      the recommender's seed
 * @param samples   the sample set's cache key under {@code W/samples}
 * @param results   the per-user results file name, beside the summary
 * @param seconds   the wall-clock time of ranking and scoring
 */
public record EvaluationReport(String model, String dataset, String split, int negatives, int users,
                               Map<String, Double> metrics, long seed, String samples, String results,
                               double seconds) {
}
