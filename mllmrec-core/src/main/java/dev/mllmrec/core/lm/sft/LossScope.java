package dev.mllmrec.core.lm.sft;

/** Which tokens the SFT loss is computed on. */
public enum LossScope {
    /** Only the answer tokens (and the end token after them): the default. */
    ANSWER,
    /** Every token after the first, prompt included (the reference implementation's setting). */
    FULL_SEQUENCE
}
