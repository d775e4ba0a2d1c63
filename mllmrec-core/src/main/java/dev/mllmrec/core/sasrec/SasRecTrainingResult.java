package dev.mllmrec.core.sasrec;

import java.util.List;

/**
 * The outcome of {@link SasRecTrainer#train}. The caller owns {@link #model()} and must close it.
 *
 * @param model     the trained model
 * @param steps     optimizer steps taken
 * @param seconds   wall-clock training seconds (validation included)
 * @param trainLoss the mean training loss of the last epoch
 * @param epochs    one record per epoch run
 */
public record SasRecTrainingResult(SasRecModel model, int steps, double seconds, double trainLoss,
                                   List<SasRecEpoch> epochs) {

    /** Copies. */
    public SasRecTrainingResult {
        epochs = List.copyOf(epochs);
    }
}
