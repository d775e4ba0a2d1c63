package dev.mllmrec.core.lm.sft;

import java.util.List;
import java.util.Objects;

/**
 * One supervised example: a prompt and the answer the policy should give, for example
 * {@code [ITEM_12] Toy Story (1995)}.
 *
 * @param prompt       the prompt text
 * @param answer       the answer text (an end-of-answer token is appended during training)
 * @param notNegatives items a sampled softmax must not draw as negatives for this example, typically every item of
 *                     the user's training sequence (see {@link SftConfig#sampledNegatives()}); may be empty
 * @param openEnded    no end-of-answer token is appended, whatever {@link SftConfig#answerEnd()} says: the answer
 *                     is a stretch of a longer sequence (an item-sequence window), not a complete answer, so the
 *                     policy must not learn to stop after it
 */
public record SftExample(String prompt, String answer, List<Integer> notNegatives, boolean openEnded) {

    /** Validates and copies. */
    public SftExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(answer, "answer");
        notNegatives = List.copyOf(notNegatives);
    }

    /** A complete answer (the end-of-answer token is appended). */
    public SftExample(String prompt, String answer, List<Integer> notNegatives) {
        this(prompt, answer, notNegatives, false);
    }

    /** A complete answer with no negative exclusions. */
    public SftExample(String prompt, String answer) {
        this(prompt, answer, List.of(), false);
    }
}
