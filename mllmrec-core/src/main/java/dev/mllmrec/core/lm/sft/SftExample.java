package dev.mllmrec.core.lm.sft;

import java.util.Objects;

/**
 * One supervised example: a prompt and the answer the policy should give, for example
 * {@code [ITEM_12] Toy Story (1995)}.
 *
 * @param prompt the prompt text
 * @param answer the answer text (an end-of-answer token is appended during training)
 */
public record SftExample(String prompt, String answer) {

    /** Validates. */
    public SftExample {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(answer, "answer");
    }
}
