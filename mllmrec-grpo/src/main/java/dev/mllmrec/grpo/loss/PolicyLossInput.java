package dev.mllmrec.grpo.loss;

import java.util.Objects;

/**
 * One batch of completions for the policy loss, as row-major {@code float} arrays of {@code sequences x tokens}
 * (sequence {@code i}, completion position {@code t} is at {@code i * tokens + t}).
 *
 * @param sequences      N, the number of completions
 * @param tokens         T, the padded completion length
 * @param logProbs       the current policy's log-probabilities of the sampled tokens
 * @param oldLogProbs    the log-probabilities under the policy that generated the batch, or {@code null} when it
 *                       is the current policy (one update per generation, μ = 1: the ratio is then exactly 1 and only
 *                       its gradient matters, TRL's {@code logp.detach()})
 * @param refLogProbs    the reference policy's log-probabilities; may be {@code null} only when β = 0
 * @param advantages     one per sequence
 * @param mask           1 for a completion token, 0 for padding (and for tokens after the end of sequence); padded
 *                       positions must still hold finite log-probabilities (0 is fine)
 * @param dapoTokenCount for {@link LossAggregation#DAPO} only: the normaliser when this batch is one micro-batch of a
 *                       larger generation batch (that batch's number of completion tokens); 0 means this batch's own
 *                       count
 */
public record PolicyLossInput(int sequences, int tokens, float[] logProbs, float[] oldLogProbs, float[] refLogProbs,
                              float[] advantages, float[] mask, double dapoTokenCount) {

    /** Validates shapes; arrays are not copied (this is a hot-path carrier, callers must not mutate them). */
    public PolicyLossInput {
        if (sequences < 1 || tokens < 1) {
            throw new IllegalArgumentException("The loss needs at least one sequence and one token position, got "
                    + sequences + " x " + tokens + ".");
        }
        long n = (long) sequences * tokens;
        Objects.requireNonNull(logProbs, "logProbs");
        Objects.requireNonNull(advantages, "advantages");
        Objects.requireNonNull(mask, "mask");
        check("logProbs", logProbs.length, n);
        if (oldLogProbs != null) {
            check("oldLogProbs", oldLogProbs.length, n);
        }
        if (refLogProbs != null) {
            check("refLogProbs", refLogProbs.length, n);
        }
        check("mask", mask.length, n);
        check("advantages", advantages.length, sequences);
        if (!(dapoTokenCount >= 0.0) || Double.isInfinite(dapoTokenCount)) {
            throw new IllegalArgumentException("The DAPO token count must be finite and zero or more, got "
                    + dapoTokenCount + ".");
        }
    }

    /** An input without a DAPO token count override. */
    public static PolicyLossInput of(int sequences, int tokens, float[] logProbs, float[] oldLogProbs,
                                     float[] refLogProbs, float[] advantages, float[] mask) {
        return new PolicyLossInput(sequences, tokens, logProbs, oldLogProbs, refLogProbs, advantages, mask, 0.0);
    }

    /** This input with the generation batch's token count as the DAPO normaliser. */
    public PolicyLossInput withDapoTokenCount(double count) {
        return new PolicyLossInput(sequences, tokens, logProbs, oldLogProbs, refLogProbs, advantages, mask, count);
    }

    private static void check(String name, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " values; expected " + expected + ".");
        }
    }
}
