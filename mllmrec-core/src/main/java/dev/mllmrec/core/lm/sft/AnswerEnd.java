package dev.mllmrec.core.lm.sft;

/** The token appended after each answer so that the policy learns where an answer stops. */
public enum AnswerEnd {
    /** {@code <eos>} (the default). */
    EOS,
    /** A newline: generation of one answer line stops on it. */
    NEWLINE,
    /** Nothing. */
    NONE
}
