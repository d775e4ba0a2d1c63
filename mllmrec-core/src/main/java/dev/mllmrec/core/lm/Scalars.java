package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant that is safe under autograd.
 *
 * <p>DJL's PyTorch {@code NDArray.mul(Number)}, {@code div(Number)} and {@code maximum(Number)} wrap the number in a
 * temporary array and close it as soon as the forward op returns; PyTorch saves that operand for the backward pass,
 * which then reads freed memory and produces wrong gradients (seen as random gradient errors and NaNs, or, when a
 * collection has not yet freed the memory, nothing at all: the fault shows only now and then,
 * {@code docs/reproducibility.md}). These helpers create the constant in the operand's own manager, so it lives until
 * the step's manager is closed, after backward. {@code NumberOperandRuleTest} (in {@code mllmrec-examples}) keeps
 * every library module off DJL's overloads.
 */
public final class Scalars {

    private Scalars() {
    }

    /** {@code x * c}, differentiable in {@code x}. */
    public static NDArray mul(NDArray x, float c) {
        return x.mul(x.getManager().create(c));
    }

    /** {@code x / c}, differentiable in {@code x}. */
    public static NDArray div(NDArray x, float c) {
        return x.div(x.getManager().create(c));
    }

    /** The elementwise maximum of {@code x} and {@code c}, differentiable in {@code x}. */
    public static NDArray maximum(NDArray x, float c) {
        return x.maximum(x.getManager().create(c));
    }
}
