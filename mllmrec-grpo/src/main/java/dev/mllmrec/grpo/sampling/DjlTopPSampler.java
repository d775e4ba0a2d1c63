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
 * <p>Sorting a whole large vocabulary is the expensive part, so by default only the {@code candidates} most probable
 * tokens of each row are sorted ({@code topK}); when, in some row, they hold less than {@code topP} of the mass, the
 * sampler retries with four times as many, and finally sorts whole rows. The nucleus threshold only depends on the
 * leading part of the sorted order, so the result is the same either way. {@code candidates = 0} always sorts whole
 * rows.
 *
 * <p>Results are attached to the manager of {@code logits}; run each decoding step in its own sub-manager. Immutable
 * and thread-safe.
 */
public final class DjlTopPSampler {

    /** The default number of candidates sorted per row before falling back to more. */
    public static final int DEFAULT_CANDIDATES = 1024;

    private static final double MARGIN = 1e-9; // the candidates' mass must exceed topP by this much

    private final double temperature;
    private final double topP;
    private final int candidates;

    /** A sampler sorting {@link #DEFAULT_CANDIDATES} candidates per row first. */
    public DjlTopPSampler(double temperature, double topP) {
        this(temperature, topP, DEFAULT_CANDIDATES);
    }

    /**
     * A sampler with the same validation as {@link TopPSampler#TopPSampler(double, double)}.
     *
     * @param candidates how many top tokens per row to sort first; 0 sorts whole rows
     */
    public DjlTopPSampler(double temperature, double topP, int candidates) {
        TopPSampler check = new TopPSampler(temperature, topP);
        if (candidates < 0) {
            throw new IllegalArgumentException("The candidate count must be zero or more, got " + candidates + ".");
        }
        this.temperature = check.temperature();
        this.topP = check.topP();
        this.candidates = candidates;
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
        // In place where possible: at large vocabularies the cost is mostly memory traffic.
        NDArray c = p.muli(p.gte(threshold(p))).cumSum(1);
        NDArray total = c.get(":, -1:");
        NDArray target = uniforms.toType(DataType.FLOAT64, false).reshape(rows, 1).mul(total);
        return c.lte(target).sum(new int[] {1}).toType(DataType.INT64, false);
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
        return logits.toType(DataType.FLOAT64, true).divi(temperature).softmax(1);
    }

    /** {@code tau} per row, shape {@code (rows, 1)}. */
    private NDArray threshold(NDArray p) {
        long vocab = p.getShape().get(1);
        for (long k = candidates; k > 0 && k < vocab; k *= 4) {
            NDArray top = p.topK((int) k, 1, true, true).get(0);
            if (top.sum(new int[] {1}).gte(topP + MARGIN).all().getBoolean()) {
                return thresholdFromSorted(top);
            }
        }
        return thresholdFromSorted(p.sort(1).flip(1));
    }

    /** {@code tau} from the leading part of each row sorted descending. */
    private NDArray thresholdFromSorted(NDArray sorted) {
        NDArray excl = sorted.cumSum(1).sub(sorted);
        NDArray kept = NDArrays.where(excl.lt(topP), sorted, sorted.onesLike().mul(Double.POSITIVE_INFINITY));
        return kept.min(new int[] {1}, true);
    }

    @Override
    public String toString() {
        return "DjlTopPSampler[temperature=" + temperature + ", topP=" + topP + ", candidates=" + candidates + "]";
    }
}
