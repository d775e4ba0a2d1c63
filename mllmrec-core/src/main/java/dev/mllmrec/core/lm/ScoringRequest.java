package dev.mllmrec.core.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * One prompt and the answers to score after it (for example one answer per candidate item).
 *
 * @param prompt  the prompt's token ids (at least one)
 * @param answers each answer's token ids
 */
public record ScoringRequest(int[] prompt, List<int[]> answers) {

    /** Validates and copies. */
    public ScoringRequest {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("A scoring request needs a non-empty prompt.");
        }
        prompt = prompt.clone();
        List<int[]> copy = new ArrayList<>(answers.size());
        for (int[] a : answers) {
            copy.add(a.clone());
        }
        answers = List.copyOf(copy);
    }

    /** The prompt (a copy). */
    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    int[] promptRef() {
        return prompt;
    }
}
