package dev.mllmrec.core.lm.sft;

/**
 * The learning rate over optimizer steps: a linear warm-up from 0 to the base rate, then a decay to
 * {@code minRatio * base} at the last step.
 */
public enum LrSchedule {
    /** The base rate after warm-up. */
    CONSTANT,
    /** Linear decay after warm-up. */
    LINEAR,
    /** Half-cosine decay after warm-up (the default). */
    COSINE;

    /**
     * The learning rate at optimizer step {@code step} (1-based).
     *
     * @param step     the step, 1..totalSteps
     * @param total    the number of optimizer steps of the whole run
     * @param warmup   the warm-up steps
     * @param base     the peak rate
     * @param minRatio the final rate as a fraction of {@code base}
     */
    public double rate(long step, long total, long warmup, double base, double minRatio) {
        if (warmup > 0 && step <= warmup) {
            return base * step / warmup;
        }
        if (this == CONSTANT || total <= warmup) {
            return base;
        }
        double progress = Math.min(1.0, (double) (step - warmup) / (total - warmup));
        double min = base * minRatio;
        return switch (this) {
            case LINEAR -> base - (base - min) * progress;
            case COSINE -> min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
            case CONSTANT -> base;
        };
    }
}
