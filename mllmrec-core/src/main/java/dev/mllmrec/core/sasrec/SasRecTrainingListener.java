package dev.mllmrec.core.sasrec;

/**
 * Hooks into a {@link SasRecTrainer} run (logging, checkpoints, early stop). Called on the training thread; a
 * listener must not close or update the model.
 */
public interface SasRecTrainingListener {

    /** After each optimizer step, with the step's loss. */
    default void onStep(int step, double loss) {
    }

    /**
     * After each epoch (and its validation, if any).
     *
     * @return {@code true} to stop training after this epoch
     */
    default boolean onEpochEnd(SasRecEpoch epoch, SasRecModel model) {
        return false;
    }
}
