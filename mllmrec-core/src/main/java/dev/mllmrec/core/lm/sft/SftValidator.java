package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.lm.PolicyModel;
import java.util.Map;

/**
 * Measures the policy at the end of each epoch, for example HR@K and NDCG@K of a recommender built on it.
 * The metrics are logged, passed to listeners and reported in the result.
 */
@FunctionalInterface
public interface SftValidator {

    /** Metrics by name for the model after epoch {@code epoch} (0-based). */
    Map<String, Double> validate(PolicyModel model, int epoch);
}
