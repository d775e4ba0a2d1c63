package dev.mllmrec.api;

import java.util.List;
import java.util.Map;

/**
 * Trains a policy with Group Relative Policy Optimization on recommendation prompts. Not thread-safe: one training
 * run at a time.
 */
public interface GrpoTrainer extends AutoCloseable {

    /**
     * Runs training to completion (or early stop) and returns summary metrics by name.
     *
     * @param train      training samples (their prompts may carry injected reasoning)
     * @param validation validation samples, ranked periodically
     */
    Map<String, Double> train(List<RecommendationSample> train, List<RecommendationSample> validation);

    @Override
    void close();
}
