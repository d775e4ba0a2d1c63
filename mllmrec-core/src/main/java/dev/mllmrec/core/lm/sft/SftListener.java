package dev.mllmrec.core.lm.sft;

import java.nio.file.Path;
import java.util.Map;

/**
 * Receives {@link SftTrainer} events: progress, epoch ends (with validation metrics), checkpoints. All methods
 * have empty defaults; they run on the training thread, between steps.
 */
public interface SftListener {

    /** Training begins (or resumes at {@code start.startStep()}). */
    default void onTrainingStart(Start start) {
    }

    /** An optimizer step finished. */
    default void onStep(Step step) {
    }

    /** An epoch finished (after validation). */
    default void onEpochEnd(Epoch epoch) {
    }

    /** A checkpoint was written (complete and durable) at {@code dir}. */
    default void onCheckpoint(Path dir, long step) {
    }

    /** Training ended, completed or stopped. */
    default void onTrainingEnd(SftResult result) {
    }

    /**
     * The start of a run.
     *
     * @param parameters the model's parameter count
     * @param examples   the number of training examples
     * @param totalSteps optimizer steps of the whole run
     * @param startStep  steps already done (non-zero when resuming)
     * @param resumed    whether a checkpoint was loaded
     */
    record Start(long parameters, int examples, long totalSteps, long startStep, boolean resumed) {
    }

    /**
     * One optimizer step.
     *
     * @param step            the step number (1-based)
     * @param epoch           the epoch (0-based)
     * @param loss            the mean loss per target token of this step
     * @param learningRate    the rate used
     * @param gradNorm        the global gradient norm before clipping
     * @param tokens          tokens processed in this step (padding excluded)
     * @param tokensPerSecond this step's throughput
     */
    record Step(long step, int epoch, double loss, double learningRate, double gradNorm, long tokens,
                double tokensPerSecond) {
    }

    /**
     * One epoch.
     *
     * @param epoch      the epoch (0-based)
     * @param step       the optimizer step at its end
     * @param trainLoss  the mean loss per target token over the epoch
     * @param validation the validator's metrics (empty without a validator)
     */
    record Epoch(int epoch, long step, double trainLoss, Map<String, Double> validation) {
        /** Copies. */
        public Epoch {
            validation = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(validation));
        }
    }
}
