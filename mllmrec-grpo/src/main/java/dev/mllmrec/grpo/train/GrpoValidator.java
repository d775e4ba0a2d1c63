package dev.mllmrec.grpo.train;

import dev.mllmrec.core.lm.PolicyModel;
import java.util.Map;

/**
 * Measures the policy during GRPO, for example HR@K and NDCG@K of a recommender built on it over validation
 * samples. Called on the training thread between steps, with gradient recording off; it must not change the
 * policy. The metrics are logged, passed to listeners, and the trainer's selection metric among them picks the
 * best checkpoint.
 */
@FunctionalInterface
public interface GrpoValidator {

    /** Metrics by name (higher is better for the selection metric). */
    Map<String, Double> validate(PolicyModel policy);
}
