package dev.mllmrec.core.lm;

import java.util.Arrays;

/**
 * One generated continuation.
 *
 * @param tokens     the generated ids, the stop token included when there is one
 * @param logProbs   for each generated token, its log-probability under the model's own distribution (no
 *                   temperature, no top-k/top-p cut, no candidate mask): what GRPO needs as the old policy's
 *                   log-probabilities
 * @param stopReason why generation ended
 * @param itemList   the ranked candidate list drawn at the item decision when
 *                   {@link GenerationConfig#itemListSize()} is above 1 (its first entry is the generated item token);
 *                   empty otherwise
 * @param itemPosition the index in {@code tokens} of the item token the list starts with, or -1 without a list
 */
public record Generation(int[] tokens, float[] logProbs, StopReason stopReason, int[] itemList, int itemPosition) {

    /** Why a sequence ended. */
    public enum StopReason {
        /** It produced {@code <eos>}. */
        EOS,
        /** It produced a newline outside a think block. */
        NEWLINE,
        /** It produced one of the extra stop ids. */
        STOP_TOKEN,
        /** It used up the token budget. */
        LENGTH
    }

    /** A generation without an item list. */
    public Generation(int[] tokens, float[] logProbs, StopReason stopReason) {
        this(tokens, logProbs, stopReason, new int[0], -1);
    }

    /** Validates and copies. */
    public Generation {
        tokens = tokens.clone();
        logProbs = logProbs.clone();
        itemList = itemList == null ? new int[0] : itemList.clone();
        if (tokens.length != logProbs.length) {
            throw new IllegalArgumentException("Generation has " + tokens.length + " tokens but "
                    + logProbs.length + " log-probabilities.");
        }
        if (itemList.length == 0 ? itemPosition != -1
                : itemPosition < 0 || itemPosition >= tokens.length || tokens[itemPosition] != itemList[0]) {
            throw new IllegalArgumentException("Item list " + Arrays.toString(itemList) + " at position "
                    + itemPosition + " does not match the generated tokens " + Arrays.toString(tokens) + ".");
        }
    }

    /** The ranked item list (a copy; empty without one). */
    @Override
    public int[] itemList() {
        return itemList.clone();
    }

    /** The ids (a copy). */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** The log-probabilities (a copy). */
    @Override
    public float[] logProbs() {
        return logProbs.clone();
    }

    /** The generated ids without the final stop token. */
    public int[] contentTokens() {
        return stopReason == StopReason.LENGTH ? tokens.clone() : Arrays.copyOf(tokens, tokens.length - 1);
    }

    /** The sum of the log-probabilities. */
    public double totalLogProb() {
        double s = 0;
        for (float f : logProbs) {
            s += f;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Generation g && Arrays.equals(tokens, g.tokens) && Arrays.equals(logProbs, g.logProbs)
                && stopReason == g.stopReason && Arrays.equals(itemList, g.itemList) && itemPosition == g.itemPosition;
    }

    @Override
    public int hashCode() {
        int h = 31 * (31 * Arrays.hashCode(tokens) + Arrays.hashCode(logProbs)) + stopReason.hashCode();
        return 31 * (31 * h + Arrays.hashCode(itemList)) + itemPosition;
    }

    @Override
    public String toString() {
        return "Generation[tokens=" + Arrays.toString(tokens) + ", stop=" + stopReason
                + (itemList.length == 0 ? "" : ", itemList=" + Arrays.toString(itemList) + " at " + itemPosition) + "]";
    }
}
