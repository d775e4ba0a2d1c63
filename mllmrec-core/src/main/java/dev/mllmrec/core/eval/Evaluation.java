package dev.mllmrec.core.eval;

import java.util.List;
import java.util.Map;

/**
 * The outcome of evaluating one recommender on one sample set.
 *
 * @param model   the recommender's name
 * @param results one result per sample, in sample order
 * @param metrics the mean metrics ({@link RankingMetrics#summarize})
 */
public record Evaluation(String model, List<SampleResult> results, Map<String, Double> metrics) {

    /** Copies (keeping the metric order). */
    public Evaluation {
        results = List.copyOf(results);
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    }

    /** The number of samples evaluated. */
    public int size() {
        return results.size();
    }
}
