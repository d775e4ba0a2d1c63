package dev.mllmrec.core.lm.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mllmrec.core.lm.GradMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), over DJL arrays, with its whole state (both moments
 * and the step count) readable and restorable, so that a checkpoint resumes bit for bit. Weight decay applies to
 * parameters of rank 2 or more (matrices and embeddings), not to biases and LayerNorm gains.
 *
 * <p>Update for step t with gradient g: {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr wd p; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}.
 *
 * <p>Not thread-safe. Owns its moment arrays: close it.
 */
public final class AdamW implements AutoCloseable {

    private final Map<String, NDArray> params;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final NDManager manager;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private long step;

    /**
     * An optimizer for {@code params} (names as keys); its moments start at zero.
     *
     * @param manager where the moment arrays live (a sub-manager is made)
     */
    public AdamW(Map<String, NDArray> params, NDManager manager, double beta1, double beta2, double epsilon,
                 double weightDecay) {
        this.params = new LinkedHashMap<>(params);
        this.manager = manager.newSubManager();
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.epsilon = (float) epsilon;
        this.weightDecay = (float) weightDecay;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            firstMoments.put(e.getKey(), this.manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
            secondMoments.put(e.getKey(), this.manager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
    }

    /** The number of updates applied. */
    public long stepCount() {
        return step;
    }

    /**
     * The global L2 norm of the current gradients: one native norm per parameter (no squared copy of each gradient),
     * combined on the Java side.
     */
    @SuppressWarnings("try")
    public double gradientNorm() {
        try (NDScope ignored = new NDScope(); GradMode noGrad = GradMode.disabled()) {
            double sum = 0;
            for (NDArray p : params.values()) {
                double n = p.getGradient().norm().getFloat();
                sum += n * n;
            }
            return Math.sqrt(sum);
        }
    }

    /**
     * Applies one update with the current gradients multiplied by {@code gradScale} (the clipping factor), then
     * zeroes the gradients. Each parameter is updated in place by one native call (DJL's fused Adam update), with the
     * bias corrections folded into its learning rate and epsilon:
     * {@code (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps) = (lr sqrt(bc2) / bc1) m / (sqrt(v) + eps sqrt(bc2))}.
     */
    @SuppressWarnings("try")
    public void update(double learningRate, double gradScale) {
        step++;
        float lr = (float) learningRate;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (learningRate * bc2Sqrt / bc1);
        float eps = (float) (epsilon * bc2Sqrt);
        float rescale = (float) gradScale;
        try (GradMode ignored = GradMode.disabled()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                PtNDArray p = (PtNDArray) e.getValue();
                float decay = p.getShape().dimension() >= 2 ? weightDecay : 0f;
                // getGradient() makes a new handle on the gradient each call: close it, or the model's manager
                // collects one per parameter and step.
                try (NDArray g = p.getGradient()) {
                    JniUtils.adamUpdate(p, (PtNDArray) g, (PtNDArray) firstMoments.get(e.getKey()),
                            (PtNDArray) secondMoments.get(e.getKey()), lr, stepSize, decay, rescale, -1f, beta1,
                            beta2, eps, true);
                }
            }
        }
        zeroGradients();
    }

    /** Sets every parameter's gradient to zero (gradients accumulate across backward passes until then). */
    public void zeroGradients() {
        for (NDArray p : params.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** The moments by {@code m.<name>} and {@code v.<name>}, copied to the heap. */
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            out.put("m." + name, firstMoments.get(name).toFloatArray());
            out.put("v." + name, secondMoments.get(name).toFloatArray());
        }
        return out;
    }

    /** Restores {@link #state()} and the step count. */
    public void restore(Map<String, float[]> state, long stepCount) {
        for (String name : params.keySet()) {
            float[] m = state.get("m." + name);
            float[] v = state.get("v." + name);
            if (m == null || v == null) {
                throw new IllegalArgumentException("The optimizer state has no moments for parameter '" + name
                        + "'.");
            }
            firstMoments.get(name).set(m);
            secondMoments.get(name).set(v);
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
