package dev.mllmrec.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mllmrec.core.lm.GradMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam over named DJL parameters, the one optimizer of every trainer in this project, with its whole state (both
 * moments and the step count) exportable and restorable ({@link #state()}, {@link #restore}), so that a checkpoint
 * resumes bit for bit. Two variants, which differ only in where epsilon and the weight decay enter:
 * <ul>
 *   <li>{@link #adamW AdamW} (Loshchilov and Hutter; the language-model trainers): for step t with gradient g,
 *       {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr wd p; p -= lr (m / (1-b1^t)) /
 *       (sqrt(v / (1-b2^t)) + eps)}, as PyTorch's {@code AdamW}. Weight decay applies to parameters of rank 2 or
 *       more (matrices and embeddings), not to biases and LayerNorm gains.</li>
 *   <li>{@link #adam Adam} (Kingma and Ba, 2015; SASRec): the same moments, no weight decay, and the paper's
 *       "more efficient" ordering of its Algorithm 1, {@code p -= (lr sqrt(1-b2^t) / (1-b1^t)) m / (sqrt(v) + eps)}:
 *       epsilon is added to the uncorrected {@code sqrt(v)} (the paper's epsilon-hat).</li>
 * </ul>
 *
 * <p>Each parameter is updated in place by one native call (the engine's fused Adam kernel) with the bias
 * corrections folded into its learning rate (and, for AdamW, its epsilon); then the gradients are zeroed. The
 * moments live in a sub-manager of the one given: close the optimizer to free them (DJL's own {@code Adam} detaches
 * its state from every manager, which leaks native memory on every training run).
 *
 * <p>Not thread-safe.
 */
public final class Adam implements AutoCloseable {

    /** Where epsilon and the weight decay enter the update (see the class comment). */
    public enum Variant {
        /** Decoupled weight decay on matrices, epsilon added to the bias-corrected {@code sqrt(v)}. */
        ADAMW,
        /** No weight decay, epsilon added to the uncorrected {@code sqrt(v)} (Kingma and Ba's epsilon-hat). */
        ADAM
    }

    /** The fused kernel's "no clipping" value. */
    private static final float NO_CLIP = -1f;

    private final Variant variant;
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final NDManager manager;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private long step;

    private Adam(Variant variant, Map<String, NDArray> params, NDManager manager, double beta1, double beta2,
                 double epsilon, double weightDecay) {
        this.variant = variant;
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

    /**
     * AdamW for {@code params} (names as keys); its moments start at zero.
     *
     * @param manager     where the moment arrays live (a sub-manager is made)
     * @param weightDecay the decoupled weight decay of parameters of rank 2 or more
     */
    public static Adam adamW(Map<String, NDArray> params, NDManager manager, double beta1, double beta2,
                             double epsilon, double weightDecay) {
        return new Adam(Variant.ADAMW, params, manager, beta1, beta2, epsilon, weightDecay);
    }

    /**
     * Kingma and Ba's Adam (epsilon-hat, no weight decay) for {@code params}; its moments start at zero.
     *
     * @param manager where the moment arrays live (a sub-manager is made)
     */
    public static Adam adam(Map<String, NDArray> params, NDManager manager, double beta1, double beta2,
                            double epsilon) {
        return new Adam(Variant.ADAM, params, manager, beta1, beta2, epsilon, 0);
    }

    /** Which update this optimizer applies. */
    public Variant variant() {
        return variant;
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
     * Applies one update with the current gradients multiplied by {@code gradScale} (a clipping factor; 1 for none),
     * then zeroes the gradients. The bias corrections are folded into the learning rate and, for AdamW, epsilon:
     * {@code (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps) = (lr sqrt(bc2) / bc1) m / (sqrt(v) + eps sqrt(bc2))}.
     */
    @SuppressWarnings("try")
    public void update(double learningRate, double gradScale) {
        step++;
        float lr = (float) learningRate;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (learningRate * bc2Sqrt / bc1);
        boolean decoupled = variant == Variant.ADAMW;
        float eps = decoupled ? (float) (epsilon * bc2Sqrt) : epsilon;
        float rescale = (float) gradScale;
        try (GradMode ignored = GradMode.disabled()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                PtNDArray p = (PtNDArray) e.getValue();
                float decay = p.getShape().dimension() >= 2 ? weightDecay : 0f;
                // getGradient() makes a new handle on the gradient each call: close it, or the model's manager
                // collects one per parameter and step.
                try (NDArray g = p.getGradient()) {
                    JniUtils.adamUpdate(p, (PtNDArray) g, (PtNDArray) firstMoments.get(e.getKey()),
                            (PtNDArray) secondMoments.get(e.getKey()), lr, stepSize, decay, rescale, NO_CLIP, beta1,
                            beta2, eps, decoupled);
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

    /** The step count and the moments ({@code m.<name>}, {@code v.<name>}), copied to the heap. */
    public AdamState state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            out.put("m." + name, firstMoments.get(name).toFloatArray());
            out.put("v." + name, secondMoments.get(name).toFloatArray());
        }
        return new AdamState(step, out);
    }

    /**
     * Restores a {@link #state()} of an optimizer over the same parameters.
     *
     * @throws IllegalArgumentException naming the parameter, when a moment is missing or has another size
     */
    public void restore(AdamState state) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String name = e.getKey();
            float[] m = state.firstMoment(name);
            float[] v = state.secondMoment(name);
            if (m == null || v == null) {
                throw new IllegalArgumentException("The optimizer state has no moments for parameter '" + name
                        + "'.");
            }
            long size = e.getValue().size();
            if (m.length != size || v.length != size) {
                throw new IllegalArgumentException("The optimizer state's moments for parameter '" + name + "' hold "
                        + m.length + " and " + v.length + " values; the parameter has " + size + ".");
            }
        }
        for (String name : params.keySet()) {
            firstMoments.get(name).set(state.firstMoment(name));
            secondMoments.get(name).set(state.secondMoment(name));
        }
        this.step = state.steps();
    }

    @Override
    public void close() {
        manager.close();
    }
}
