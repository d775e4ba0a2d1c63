package dev.mllmrec.grpo.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * Temperature plus top-p sampling of one token per row as DJL array code: softmax, sort, cumulative sum, mask and an
 * inverse CDF driven by a supplied uniform per row. It follows exactly the rule documented on {@link TopPSampler}
 * (in {@code float64}), so the two return the same support and, given the same uniforms, the same tokens. No
 * {@code randomMultinomial} (unsupported by DJL's PyTorch engine) is needed.
 *
 * <p>Results are attached to the manager of {@code logits}; run each decoding step in its own sub-manager. Immutable
 * and thread-safe.
 */
public final class DjlTopPSampler {

    private final double temperature;
    private final double topP;

    /** A sampler with the same validation as {@link TopPSampler#TopPSampler(double, double)}. */
    public DjlTopPSampler(double temperature, double topP) {
        TopPSampler check = new TopPSampler(temperature, topP);
        this.temperature = check.temperature();
        this.topP = check.topP();
    }

    /**
     * Samples one token per row.
     *
     * @param logits   {@code (rows, vocab)}, any floating type
     * @param uniforms {@code (rows)}, in {@code [0, 1)} (converted to {@code float64})
     * @return {@code (rows)} token ids, {@code int64}
     */
    public NDArray sample(NDArray logits, NDArray uniforms) {
        Objects.requireNonNull(uniforms, "uniforms");
        NDArray p = probabilities(logits);
        long rows = p.getShape().get(0);
        if (uniforms.size() != rows) {
            throw new IllegalArgumentException("Expected " + rows + " uniforms, got " + uniforms.size() + ".");
        }
        NDArray masked = NDArrays.where(p.gte(threshold(p)), p, p.zerosLike());
        NDArray c = masked.cumSum(1);
        NDArray total = c.get(":, -1:");
        NDArray target = uniforms.toType(DataType.FLOAT64, false).reshape(rows, 1).mul(total);
        return c.lte(target).toType(DataType.INT64, false).sum(new int[] {1});
    }

    /** The top-p support, {@code (rows, vocab)} boolean. */
    public NDArray support(NDArray logits) {
        NDArray p = probabilities(logits);
        return p.gte(threshold(p));
    }

    private NDArray probabilities(NDArray logits) {
        Objects.requireNonNull(logits, "logits");
        if (logits.getShape().dimension() != 2) {
            throw new IllegalArgumentException("logits must be (rows, vocab), got " + logits.getShape() + ".");
        }
        return logits.toType(DataType.FLOAT64, false).div(temperature).softmax(1);
    }

    /** {@code tau} per row, shape {@code (rows, 1)}. */
    private NDArray threshold(NDArray p) {
        NDArray sorted = p.sort(1).flip(1);
        NDArray excl = sorted.cumSum(1).sub(sorted);
        NDArray kept = NDArrays.where(excl.lt(topP), sorted, sorted.onesLike().mul(Double.POSITIVE_INFINITY));
        return kept.min(new int[] {1}, true);
    }

    @Override
    public String toString() {
        return "DjlTopPSampler[temperature=" + temperature + ", topP=" + topP + "]";
    }
}
