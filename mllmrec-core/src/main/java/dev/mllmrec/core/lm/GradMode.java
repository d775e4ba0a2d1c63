package dev.mllmrec.core.lm;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's (thread-local) autograd recording off for a scope and restores it afterwards, so inference on any
 * thread builds no graph even though the parameters require gradients.
 *
 * <pre>{@code try (GradMode ignored = GradMode.disabled()) { ... } }</pre>
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        this.previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Disables gradient recording on this thread until {@link #close()}. */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** Restores the previous mode. */
    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
