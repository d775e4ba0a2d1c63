package dev.mllmrec.core.sasrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba, 2015) with bias correction, updating parameters in place with the engine's fused kernel (one
 * native call per parameter, which also zeroes the gradient). Its moment estimates live in a manager it owns, so
 * closing the optimizer frees them: DJL's own {@code Adam} detaches its state from every manager, which leaks native
 * memory on every training run.
 *
 * <p>Not thread-safe.
 */
final class AdamOptimizer implements AutoCloseable {

    /** The fused kernel's "no clipping" value. */
    private static final float NO_CLIP = -1f;

    private final NDManager state;
    private float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int t;

    /** Adam with SASRec's betas (0.9, 0.98), whose state is a sub-manager of {@code parent}. */
    AdamOptimizer(NDManager parent, float learningRate) {
        this(parent, learningRate, 0.9f, 0.98f, 1e-8f, 0f);
    }

    AdamOptimizer(NDManager parent, float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
        this.state = parent.newSubManager();
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** Starts a step: every parameter updated until the next call shares one bias correction. */
    void nextStep() {
        t++;
    }

    /** Updates {@code weight} in place from {@code grad} and zeroes the gradient. Call outside a gradient collector. */
    void update(String name, NDArray weight, NDArray grad) {
        if (t == 0) {
            throw new IllegalStateException("AdamOptimizer.nextStep() must be called before the first update.");
        }
        NDArray[] mv = moments.computeIfAbsent(name, n -> new NDArray[] {
            state.zeros(weight.getShape(), weight.getDataType()),
            state.zeros(weight.getShape(), weight.getDataType())});
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mv[0], mv[1]), new NDList(weight),
                learningRate, stepSize, weightDecay, 1f, NO_CLIP, beta1, beta2, epsilon, false, false);
    }

    /** Sets the learning rate of the following updates (a schedule's current value). */
    void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    /** The number of steps taken. */
    int steps() {
        return t;
    }

    @Override
    public void close() {
        state.close();
    }
}
