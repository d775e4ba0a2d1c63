package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Inverted dropout whose masks come from a {@link SeededRandom} rather than PyTorch's global generator, so that a
 * training step's masks depend only on the seed it was given: a resumed run draws exactly the masks of an
 * uninterrupted one. Each {@link #apply} zeroes every element with probability {@code rate} and scales the rest
 * by {@code 1 / (1 - rate)}.
 *
 * <p>Not thread-safe: one instance per forward pass.
 */
public final class Dropout {

    private final float rate;
    private final float keepScale;
    private final SeededRandom rng;

    /**
     * Dropout at {@code rate} with masks drawn from {@code seed}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= rate < 1}
     */
    public Dropout(double rate, long seed) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("The dropout rate must be in [0, 1), got " + rate + ".");
        }
        this.rate = (float) rate;
        this.keepScale = (float) (1.0 / (1.0 - rate));
        this.rng = new SeededRandom(seed);
    }

    /** The drop probability. */
    public double rate() {
        return rate;
    }

    /** {@code x} with the next mask applied ({@code x} itself when the rate is 0). */
    public NDArray apply(NDArray x) {
        if (rate == 0f) {
            return x;
        }
        Shape shape = x.getShape();
        float[] mask = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextFloat() < rate ? 0f : keepScale;
        }
        return x.mul(x.getManager().create(mask, shape));
    }
}
