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
 */
public record Generation(int[] tokens, float[] logProbs, StopReason stopReason) {

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

    /** Validates and copies. */
    public Generation {
        tokens = tokens.clone();
        logProbs = logProbs.clone();
        if (tokens.length != logProbs.length) {
            throw new IllegalArgumentException("Generation has " + tokens.length + " tokens but "
                    + logProbs.length + " log-probabilities.");
        }
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
                && stopReason == g.stopReason;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokens) + Arrays.hashCode(logProbs)) + stopReason.hashCode();
    }

    @Override
    public String toString() {
        return "Generation[tokens=" + Arrays.toString(tokens) + ", stop=" + stopReason + "]";
    }
}
