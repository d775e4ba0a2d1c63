package dev.mllmrec.grpo.train;

import java.util.List;
import java.util.Map;

/**
 * The trajectory of a GRPO run so far: the mean training reward and hit rate of every step, and every validation.
 * Saved in checkpoints, so that listeners such as the reward-inflation monitor rebuild their state on resume.
 *
 * @param steps       one point per completed step, in order
 * @param validations one point per validation, in order (step 0 is the initial policy)
 */
public record GrpoHistory(List<StepPoint> steps, List<ValidationPoint> validations) {

    /** Copies. */
    public GrpoHistory {
        steps = steps == null ? List.of() : List.copyOf(steps);
        validations = validations == null ? List.of() : List.copyOf(validations);
    }

    /** No steps and no validations. */
    public static GrpoHistory empty() {
        return new GrpoHistory(List.of(), List.of());
    }

    /**
     * One training step.
     *
     * @param step       the step (1-based)
     * @param rewardMean the mean total reward of its completions
     * @param hitRate    the fraction of its completions that named the target
     */
    public record StepPoint(long step, double rewardMean, double hitRate) {
    }

    /**
     * One validation.
     *
     * @param step    the step after which it ran (0: before training)
     * @param metrics the validator's metrics
     */
    public record ValidationPoint(long step, Map<String, Double> metrics) {
        /** Copies. */
        public ValidationPoint {
            metrics = Map.copyOf(metrics);
        }
    }
}
