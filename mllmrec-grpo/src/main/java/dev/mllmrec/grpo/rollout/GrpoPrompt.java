package dev.mllmrec.grpo.rollout;

import dev.mllmrec.api.RecommendationSample;
import java.util.Objects;

/**
 * One GRPO training prompt: the sample that the rewards judge completions against, and the exact prompt text the
 * policy continues (plain, or with injected reasoning from the mixed-grained augmentation).
 *
 * @param sample     the training sample (target and candidates)
 * @param promptText the text the policy sees, never blank
 */
public record GrpoPrompt(RecommendationSample sample, String promptText) {

    /** Validates. */
    public GrpoPrompt {
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(promptText, "promptText");
        if (promptText.isBlank()) {
            throw new IllegalArgumentException("The prompt text of sample " + sample.sampleId() + " is blank.");
        }
    }
}
