package dev.mllmrec.api;

/**
 * Scores one completion for a training sample during GRPO. Implementations are stateless and thread-safe.
 */
public interface RewardFunction {

    /** A stable name used in metrics. */
    String name();

    /** The reward of {@code completion} (the generated text after the prompt) for {@code sample}. */
    double reward(String completion, RecommendationSample sample);
}
