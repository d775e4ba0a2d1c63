package dev.mllmrec.grpo.loss;

/**
 * The GRPO clipped-surrogate policy loss with a k3 KL penalty (see {@link PolicyLossConfig} for the formula and
 * {@link LossAggregation} for the aggregation), evaluated together with its gradient with respect to the current
 * policy's per-token log-probabilities.
 *
 * <p>The implementation is {@link DjlPolicyLoss}, vectorised DJL array code that is differentiable (its
 * {@code forward} is what the trainer back-propagates through). The tests hold a plain-Java reference with the
 * gradient derived by hand, and check that the two agree to float rounding.
 *
 * <p>Left to the training loop: μ updates per generation batch (pass the generating policy's log-probs as
 * {@code oldLogProbs} from the second update on), dividing by the number of gradient-accumulation micro-batches for
 * {@link LossAggregation#GRPO} and {@link LossAggregation#DR_GRPO} (for {@link LossAggregation#DAPO} pass the
 * generation batch's token count instead, {@link PolicyLossInput#dapoTokenCount()}), and gradient clipping.
 */
public interface PolicyLoss {

    /** The settings. */
    PolicyLossConfig config();

    /** Evaluates the loss, its diagnostics and its gradient on one batch. */
    PolicyLossResult compute(PolicyLossInput input);
}
