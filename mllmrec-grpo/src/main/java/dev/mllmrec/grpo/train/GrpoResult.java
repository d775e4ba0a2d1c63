package dev.mllmrec.grpo.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of a GRPO run.
 *
 * @param parameters              the policy's parameter count
 * @param steps                   steps done in total (over resumed runs too)
 * @param totalSteps              steps of the whole run
 * @param seconds                 wall seconds over resumed runs, validation and checkpoints included
 * @param secondsPerStep          mean seconds of one step (rollout, rewards and updates)
 * @param rolloutTokensPerSecond  generated tokens per second of sampling
 * @param finalValidation         the last validation's metrics (empty without a validator)
 * @param bestValidation          the best validation's metrics by the selection metric
 * @param bestStep                the step of the best validation (-1: none)
 * @param rewardStart             the mean training reward over the first steps (up to 20)
 * @param rewardEnd               the mean training reward over the last steps (up to 20)
 * @param resumed                 whether this run continued from a checkpoint
 * @param completed               whether every step was done (false when stopped early)
 * @param stopReason              why training stopped early, or the empty string
 */
public record GrpoResult(long parameters, long steps, long totalSteps, double seconds, double secondsPerStep,
                         double rolloutTokensPerSecond, Map<String, Double> finalValidation,
                         Map<String, Double> bestValidation, long bestStep, double rewardStart, double rewardEnd,
                         boolean resumed, boolean completed, String stopReason) {

    /** Copies. */
    public GrpoResult {
        finalValidation = Map.copyOf(finalValidation);
        bestValidation = Map.copyOf(bestValidation);
        stopReason = stopReason == null ? "" : stopReason;
    }

    /**
     * Summary metrics by name: {@code steps}, {@code seconds}, {@code seconds_per_step},
     * {@code rollout_tokens_per_second}, {@code reward_start}, {@code reward_end}, {@code best_step},
     * {@code completed} (1 or 0), and the validation metrics as {@code final/<name>} and {@code best/<name>}.
     */
    public Map<String, Double> toMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("steps", (double) steps);
        out.put("seconds", seconds);
        out.put("seconds_per_step", secondsPerStep);
        out.put("rollout_tokens_per_second", rolloutTokensPerSecond);
        out.put("reward_start", rewardStart);
        out.put("reward_end", rewardEnd);
        out.put("best_step", (double) bestStep);
        out.put("completed", completed ? 1.0 : 0.0);
        finalValidation.forEach((k, v) -> out.put("final/" + k, v));
        bestValidation.forEach((k, v) -> out.put("best/" + k, v));
        return out;
    }
}
