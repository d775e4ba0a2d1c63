package dev.mllmrec.core.lm.tokenizer;

/**
 * The ids of the tokens that generation and training treat specially; {@code -1} where a tokenizer has none.
 *
 * @param pad        padding
 * @param eos        end of sequence
 * @param unk        unknown word
 * @param thinkStart {@code <think>}, opening a reasoning block
 * @param thinkEnd   {@code </think>}, closing it
 * @param newline    the newline token (generation of one answer line stops on it)
 */
public record SpecialTokens(int pad, int eos, int unk, int thinkStart, int thinkEnd, int newline) {

    /** {@code <pad>}. */
    public static final String PAD = "<pad>";
    /** {@code <eos>}. */
    public static final String EOS = "<eos>";
    /** {@code <unk>}. */
    public static final String UNK = "<unk>";
    /** {@code <think>}. */
    public static final String THINK_START = "<think>";
    /** {@code </think>}. */
    public static final String THINK_END = "</think>";
}
