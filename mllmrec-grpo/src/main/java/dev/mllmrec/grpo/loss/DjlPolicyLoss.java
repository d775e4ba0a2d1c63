package dev.mllmrec.grpo.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mllmrec.core.lm.Devices;
import dev.mllmrec.core.lm.Scalars;
import java.util.Objects;

/**
 * The vectorised DJL {@link PolicyLoss}. {@link #forward} builds the loss from {@code (N, T)} arrays with ordinary
 * differentiable operations, so a trainer calls it inside its own {@link GradientCollector} and back-propagates into
 * the policy (what {@code DefaultGrpoTrainer} does); {@link #compute} runs the whole thing on host arrays and takes
 * the gradient with DJL autograd.
 *
 * <p>Arrays created by {@code forward} are attached to the manager of
 * {@code logProbs}: give each training step its own sub-manager. {@link #compute} works in a sub-manager of the
 * manager given at construction (or of one it owns) and frees everything before returning.
 *
 * <p>Not thread-safe: {@code compute} opens a gradient collector, and only one may be open at a time. Close it to
 * free a manager it owns.
 */
public final class DjlPolicyLoss implements PolicyLoss, AutoCloseable {

    private final PolicyLossConfig config;
    private final NDManager manager;
    private final boolean ownsManager;

    /** A loss that owns a base manager for {@link #compute}. */
    public DjlPolicyLoss(PolicyLossConfig config) {
        this(config, Devices.newManager(), true);
    }

    /** A loss whose {@link #compute} allocates in sub-managers of {@code manager} (not closed by this loss). */
    public DjlPolicyLoss(PolicyLossConfig config, NDManager manager) {
        this(config, manager, false);
    }

    private DjlPolicyLoss(PolicyLossConfig config, NDManager manager, boolean ownsManager) {
        this.config = Objects.requireNonNull(config, "config");
        this.manager = Objects.requireNonNull(manager, "manager");
        this.ownsManager = ownsManager;
    }

    @Override
    public PolicyLossConfig config() {
        return config;
    }

    /**
     * The differentiable loss.
     *
     * @param logProbs    {@code (N, T)} current policy log-probs; the gradient flows into these
     * @param oldLogProbs {@code (N, T)} or {@code null} for μ = 1 (then {@code logProbs.stopGradient()} is used)
     * @param refLogProbs {@code (N, T)}, or {@code null} when β = 0
     * @param advantages  {@code (N)}
     * @param mask        {@code (N, T)}, 1 for completion tokens and 0 for padding, any numeric type
     */
    public DjlPolicyLossOutput forward(NDArray logProbs, NDArray oldLogProbs, NDArray refLogProbs,
                                      NDArray advantages, NDArray mask) {
        return forward(logProbs, oldLogProbs, refLogProbs, advantages, mask, 0.0);
    }

    /**
     * Like {@link #forward(NDArray, NDArray, NDArray, NDArray, NDArray)} with the DAPO normaliser of a micro-batch
     * ({@link PolicyLossInput#dapoTokenCount()}; 0 means this batch's own token count).
     */
    public DjlPolicyLossOutput forward(NDArray logProbs, NDArray oldLogProbs, NDArray refLogProbs,
                                      NDArray advantages, NDArray mask, double dapoTokenCount) {
        Terms t = terms(logProbs, oldLogProbs, refLogProbs, advantages, mask);
        NDArray perToken = t.surrogate;
        if (t.kl != null && config.beta() != 0.0) {
            perToken = perToken.add(Scalars.mul(t.kl, (float) config.beta()));
        }
        NDArray masked = perToken.mul(t.mask);
        NDArray loss = switch (config.aggregation()) {
            case GRPO -> masked.sum(new int[] {1}).div(Scalars.maximum(t.mask.sum(new int[] {1}), 1f)).mean();
            case DAPO -> dapoTokenCount > 0 ? Scalars.div(masked.sum(), (float) dapoTokenCount)
                    : masked.sum().div(Scalars.maximum(t.mask.sum(), 1f));
            case DR_GRPO -> Scalars.div(masked.sum(), (float) ((double) t.n * config.maxCompletionLength()));
        };
        return new DjlPolicyLossOutput(loss, metrics(t));
    }

    /** Runs {@link #forward} on host arrays and takes the gradient with DJL autograd. */
    @Override
    public PolicyLossResult compute(PolicyLossInput in) {
        Objects.requireNonNull(in, "input");
        if (config.beta() != 0.0 && in.refLogProbs() == null) {
            throw new IllegalArgumentException("The KL weight beta is " + config.beta()
                    + ", so reference log-probabilities are required.");
        }
        Shape shape = new Shape(in.sequences(), in.tokens());
        try (NDManager sub = manager.newSubManager()) {
            NDArray logp = sub.create(in.logProbs(), shape);
            NDArray old = in.oldLogProbs() == null ? null : sub.create(in.oldLogProbs(), shape);
            NDArray ref = in.refLogProbs() == null ? null : sub.create(in.refLogProbs(), shape);
            NDArray adv = sub.create(in.advantages());
            NDArray mask = sub.create(in.mask(), shape);
            logp.setRequiresGradient(true);
            DjlPolicyLossOutput out;
            try (GradientCollector gc = sub.getEngine().newGradientCollector()) {
                out = forward(logp, old, ref, adv, mask, in.dapoTokenCount());
                gc.backward(out.loss());
            }
            float[] grad = logp.getGradient().toFloatArray();
            return new PolicyLossResult(out.loss().getFloat(), out.readMetrics(), grad);
        }
    }

    private Terms terms(NDArray logp, NDArray oldLogProbs, NDArray ref, NDArray advantages, NDArray maskIn) {
        Objects.requireNonNull(logp, "logProbs");
        Objects.requireNonNull(advantages, "advantages");
        Objects.requireNonNull(maskIn, "mask");
        if (logp.getShape().dimension() != 2) {
            throw new IllegalArgumentException("logProbs must be (N, T), got " + logp.getShape() + ".");
        }
        long n = logp.getShape().get(0);
        Shape shape = logp.getShape();
        check("mask", maskIn, shape);
        if (oldLogProbs != null) {
            check("oldLogProbs", oldLogProbs, shape);
        }
        if (ref != null) {
            check("refLogProbs", ref, shape);
        } else if (config.beta() != 0.0) {
            throw new IllegalArgumentException("The KL weight beta is " + config.beta()
                    + ", so reference log-probabilities are required.");
        }
        if (advantages.size() != n) {
            throw new IllegalArgumentException("advantages has " + advantages.size() + " values for " + n
                    + " sequences.");
        }
        NDArray mask = maskIn.toType(logp.getDataType(), false);
        NDArray old = oldLogProbs == null ? logp.stopGradient() : oldLogProbs.stopGradient();
        NDArray adv = advantages.stopGradient().reshape(n, 1);
        NDArray ratio = logp.sub(old).exp();
        NDArray clamped = ratio.clip(config.lowerBound(), config.upperBound());
        NDArray surrogate = ratio.mul(adv).minimum(clamped.mul(adv)).neg();
        NDArray r = ratio.stopGradient();
        NDArray isLow = r.lt(config.lowerBound()).logicalAnd(adv.lt(0f));
        NDArray isHigh = r.gt(config.upperBound()).logicalAnd(adv.gt(0f));
        NDArray clipped = isLow.logicalOr(isHigh);
        NDArray kl = null;
        NDArray expD = null;
        if (ref != null) {
            NDArray d = ref.stopGradient().sub(logp);
            expD = d.exp();
            kl = expD.sub(d).sub(1f);
        }
        return new Terms(n, mask, adv, ratio, surrogate, isLow, isHigh, clipped, kl, expD);
    }

    private static NDArray metrics(Terms t) {
        NDArray mask = t.mask.stopGradient();
        NDArray count = mask.sum();
        NDArray denom = Scalars.maximum(count, 1f);
        DataType type = mask.getDataType();
        NDArray low = t.isLow.toType(type, false).mul(mask).sum().div(denom);
        NDArray high = t.isHigh.toType(type, false).mul(mask).sum().div(denom);
        NDArray region = t.clipped.toType(type, false).mul(mask).sum().div(denom);
        NDArray kl = t.kl == null ? count.zerosLike().add(Float.NaN) : t.kl.stopGradient().mul(mask).sum().div(denom);
        NDArray ratio = t.ratio.stopGradient().mul(mask).sum().div(denom);
        return NDArrays.stack(new NDList(low, high, region, kl, ratio, count));
    }

    private static void check(String name, NDArray a, Shape shape) {
        if (!a.getShape().equals(shape)) {
            throw new IllegalArgumentException(name + " has shape " + a.getShape() + "; expected " + shape + ".");
        }
    }

    @Override
    public void close() {
        if (ownsManager) {
            manager.close();
        }
    }

    private record Terms(long n, NDArray mask, NDArray adv, NDArray ratio, NDArray surrogate, NDArray isLow,
                         NDArray isHigh, NDArray clipped, NDArray kl, NDArray expD) {
    }
}
