package dev.mllmrec.core.lm.sft;

import java.util.Map;

/**
 * The outcome of {@link SftTrainer#train}.
 *
 * @param parameters      the model's parameter count
 * @param steps           optimizer steps done in total (over resumed runs too)
 * @param totalSteps      optimizer steps of the whole run
 * @param epochs          epochs completed
 * @param trainLoss       the mean loss per target token of the last completed epoch (or of the partial epoch)
 * @param tokensPerSecond training throughput (padding excluded, validation and checkpoints excluded)
 * @param validation      the last validation metrics (empty without a validator)
 * @param seconds         training seconds, over resumed runs too
 * @param resumed         whether this run continued from a checkpoint
 * @param completed       whether every epoch is done (false when stopped early)
 */
public record SftResult(long parameters, long steps, long totalSteps, int epochs, double trainLoss,
                        double tokensPerSecond, Map<String, Double> validation, double seconds, boolean resumed,
                        boolean completed) {

    /** Copies. */
    public SftResult {
        validation = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(validation));
    }
}
