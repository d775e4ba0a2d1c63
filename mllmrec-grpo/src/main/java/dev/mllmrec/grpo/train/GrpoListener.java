package dev.mllmrec.grpo.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Receives {@link DefaultGrpoTrainer} events: the start (with the history of a resumed run), every step, every
 * validation, checkpoints and the end. Logging, progress, early stopping and the reward-inflation monitor hang off
 * these events. All methods have empty defaults and run on the training thread, between steps.
 */
public interface GrpoListener {

    /** Training begins, or resumes at {@code start.startStep()}. */
    default void onTrainingStart(Start start) {
    }

    /** A step (rollout, rewards, advantages, policy updates) finished. */
    default void onStep(Step step) {
    }

    /** A validation finished. */
    default void onValidation(Validation validation) {
    }

    /** A checkpoint was written (complete and durable) at {@code dir}; {@code kind} is latest or best. */
    default void onCheckpoint(Path dir, String kind, long step) {
    }

    /** Training ended, completed or stopped. */
    default void onTrainingEnd(GrpoResult result) {
    }

    /**
     * Polled after every step and validation: {@code true} stops training there (a {@code latest} checkpoint is
     * written first).
     */
    default boolean shouldStop() {
        return false;
    }

    /**
     * The start of a run.
     *
     * @param parameters the policy's parameter count
     * @param prompts    the number of training prompts
     * @param totalSteps steps of the whole run
     * @param startStep  steps already done (non-zero when resuming)
     * @param resumed    whether a checkpoint was loaded
     * @param history    the steps and validations done before this start (empty unless resumed)
     */
    record Start(long parameters, int prompts, long totalSteps, long startStep, boolean resumed,
                 GrpoHistory history) {
    }

    /**
     * One step.
     *
     * @param step       the step (1-based)
     * @param epoch      the pass over the prompts it drew from (0-based)
     * @param rewardMean the mean total reward of its completions
     * @param hitRate    the fraction of completions naming the target
     * @param metrics    every metric of its {@code metrics.jsonl} line, by name
     */
    record Step(long step, int epoch, double rewardMean, double hitRate, Map<String, Double> metrics) {
        /** Copies. */
        public Step {
            metrics = Map.copyOf(metrics);
        }
    }

    /**
     * One validation.
     *
     * @param step    the step after which it ran (0: before training)
     * @param metrics the validator's metrics
     * @param best    whether it is the best so far by the selection metric (the {@code best} checkpoint was
     *                updated)
     */
    record Validation(long step, Map<String, Double> metrics, boolean best) {
        /** Copies. */
        public Validation {
            metrics = Map.copyOf(metrics);
        }
    }
}
