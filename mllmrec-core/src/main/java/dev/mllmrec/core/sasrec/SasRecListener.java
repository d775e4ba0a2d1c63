package dev.mllmrec.core.sasrec;

/**
 * Receives {@link SasRecTrainer} events: the start, every optimizer step, every epoch end (with validation metrics)
 * and the end, in the same style as {@code SftListener} and {@code GrpoListener}. All methods have empty defaults;
 * they run on the training thread, between steps, and must not close or update the model.
 */
public interface SasRecListener {

    /** Training begins. */
    default void onTrainingStart(Start start) {
    }

    /** An optimizer step finished. */
    default void onStep(Step step) {
    }

    /** An epoch finished (after its validation, if any). */
    default void onEpochEnd(SasRecEpoch epoch) {
    }

    /** Training ended (every epoch done, stopped early, or stopped by a listener). */
    default void onTrainingEnd(SasRecTrainingResult result) {
    }

    /** Polled after every epoch: {@code true} stops training there (early stopping still restores its best). */
    default boolean shouldStop() {
        return false;
    }

    /**
     * The start of a run.
     *
     * @param parameters the model's parameter count
     * @param windows    the training windows (one row of a batch each)
     * @param totalSteps optimizer steps if every epoch runs
     */
    record Start(long parameters, int windows, long totalSteps) {
    }

    /**
     * One optimizer step.
     *
     * @param step         the step number (1-based)
     * @param epoch        the epoch (1-based, as {@link SasRecEpoch#epoch()})
     * @param loss         the step's training loss
     * @param learningRate the rate used
     */
    record Step(long step, int epoch, double loss, double learningRate) {
    }
}
