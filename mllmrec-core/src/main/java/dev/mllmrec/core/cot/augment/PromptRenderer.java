package dev.mllmrec.core.cot.augment;

import dev.mllmrec.api.RecommendationSample;

/**
 * Renders a training prompt with optional injected reasoning; the data module's prompt builder plugs in here so
 * that {@code train_sft.jsonl} and {@code train_grpo.jsonl} carry full prompt text.
 */
@FunctionalInterface
public interface PromptRenderer {

    /**
     * @param sample    the training sample
     * @param reasoning the reasoning to inject "for reference ONLY", or the empty string for a plain prompt
     * @return the prompt text
     */
    String render(RecommendationSample sample, String reasoning);
}
