package dev.mllmrec.core.eval;

import java.util.List;

/**
 * How a recommender ranked one sample's target: one line of the per-user results file.
 *
 * @param sampleId the sample
 * @param userId   the user
 * @param target   the true next item
 * @param rank     the target's 0-based rank among the candidates
 * @param top      the ids of the top 10 (or fewer) ranked candidates, best first
 */
public record SampleResult(String sampleId, String userId, int target, int rank, List<Integer> top) {

    /** Copies. */
    public SampleResult {
        top = List.copyOf(top);
    }
}
