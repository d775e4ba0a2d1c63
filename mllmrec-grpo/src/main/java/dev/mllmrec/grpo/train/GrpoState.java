package dev.mllmrec.grpo.train;

import dev.mllmrec.core.lm.LmConfig;
import java.util.Map;

/**
 * Where a GRPO run stands, as saved in a checkpoint's {@code state.json}: with the weights and the optimizer
 * moments it lets a run continue exactly (rollout seeds derive from the seed and the step, so the prompt order is
 * the only other random state).
 *
 * @param step              steps done
 * @param epoch             the current pass over the prompts (0-based)
 * @param cursor            prompts of the current pass already drawn
 * @param order             the current pass's shuffled prompt order
 * @param dataRngState      the prompt-order generator's state after drawing {@code order}
 * @param optimizerSteps    Adam updates applied ({@code step * policyUpdates})
 * @param seconds           wall seconds so far
 * @param stepSeconds       seconds spent in steps so far
 * @param rolloutTokens     completion tokens generated so far
 * @param rolloutSeconds    seconds spent sampling so far
 * @param bestStep          the step of the best validation (-1: none yet)
 * @param bestValue         its selection metric (meaningless while {@code bestStep} is -1)
 * @param history           every step's reward and every validation so far
 * @param prompts           the number of training prompts
 * @param dataFingerprint   a hash of the training prompts (resume refuses other prompts)
 * @param config            the settings
 * @param model             the built-in policy's shape ({@code null} for another policy)
 * @param provenance        free-form facts about the run (for example the SFT checkpoint it started from)
 * @param policy            the policy's {@link dev.mllmrec.core.lm.TrainablePolicy#signature()} ({@code null} in
 *                          checkpoints written before it was recorded)
 */
public record GrpoState(long step, int epoch, int cursor, int[] order, long dataRngState, long optimizerSteps,
                        double seconds, double stepSeconds, long rolloutTokens, double rolloutSeconds, long bestStep,
                        double bestValue, GrpoHistory history, int prompts, long dataFingerprint, GrpoConfig config,
                        LmConfig model, Map<String, String> provenance, String policy) {

    /** Copies. */
    public GrpoState {
        order = order == null ? new int[0] : order.clone();
        history = history == null ? GrpoHistory.empty() : history;
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
    }

    /** The prompt order (a copy). */
    @Override
    public int[] order() {
        return order.clone();
    }
}
