package dev.mllmrec.api;

/**
 * Scores how reliable a chain-of-thought is for a training sample (the paper's confidence-aware assessment). An
 * assessor may see the target: it judges the trace, it never writes one.
 */
public interface ConfidenceAssessor {

    /** A stable name, for example {@code leakage} or {@code retrieval}. */
    String name();

    /** Assesses one trace against the sample it was written for. */
    Assessment assess(CotTrace trace, RecommendationSample sample);
}
