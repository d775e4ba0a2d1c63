package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.lm.LmConfig;
import java.util.Map;

/**
 * Where a training run stands, as saved in a checkpoint's {@code state.json}: together with the weights and the
 * optimizer moments it lets a run continue exactly.
 *
 * @param step             optimizer steps done
 * @param epoch            the current epoch (0-based; equal to the epoch count when training is complete)
 * @param batchInEpoch     micro-batches of the current epoch already consumed
 * @param epochRngState    the data-order generator's state at the start of the current epoch
 * @param epochLossSum     the summed loss of the current epoch so far
 * @param epochLossTokens  the target tokens of the current epoch so far
 * @param lastEpochLoss    the mean loss of the last completed epoch ({@code NaN} before the first)
 * @param tokensSeen       tokens processed in total
 * @param seconds          training seconds in total
 * @param totalSteps       optimizer steps of the whole run
 * @param dataFingerprint  a hash of the tokenized training data (resume refuses other data)
 * @param examples         the number of training examples
 * @param validation       the last validation metrics
 * @param config           the training settings
 * @param model            the built-in model's shape ({@code null} for another policy)
 * @param policy           the policy's {@link dev.mllmrec.core.lm.TrainablePolicy#signature()} ({@code null} in
 *                         checkpoints written before it was recorded)
 */
public record SftState(long step, int epoch, int batchInEpoch, long epochRngState, double epochLossSum,
                       long epochLossTokens, double lastEpochLoss, long tokensSeen, double seconds,
                       long totalSteps, long dataFingerprint, int examples, Map<String, Double> validation,
                       SftConfig config, LmConfig model, String policy) {

    /** Copies. */
    public SftState {
        validation = validation == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(validation));
    }
}
