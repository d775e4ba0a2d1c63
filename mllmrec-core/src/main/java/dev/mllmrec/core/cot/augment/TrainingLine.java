package dev.mllmrec.core.cot.augment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One line of {@code W/train_sft.jsonl} or {@code W/train_grpo.jsonl}: the sample, the granularity drawn, the
 * reasoning to inject, and the rendered prompt when a {@link PromptRenderer} was given (absent otherwise).
 *
 * @param sampleId    the training window
 * @param userId      the user
 * @param history     item ids, oldest first
 * @param target      the true next item
 * @param candidates  the candidate list
 * @param granularity plain, criteria or full
 * @param reasoning   the text to inject (empty for plain)
 * @param prompt      the rendered prompt, or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"sampleId", "userId", "history", "target", "candidates", "granularity", "reasoning", "prompt"})
public record TrainingLine(String sampleId, String userId, List<Integer> history, int target,
                           List<Integer> candidates, Granularity granularity, String reasoning, String prompt) {

    /** Copies. */
    public TrainingLine {
        history = List.copyOf(history);
        candidates = List.copyOf(candidates);
    }
}
