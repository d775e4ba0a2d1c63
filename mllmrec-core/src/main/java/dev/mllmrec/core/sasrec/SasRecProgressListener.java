package dev.mllmrec.core.sasrec;

import dev.mllmrec.core.ProgressBar;

/** Draws a {@link ProgressBar} over optimizer steps. Not thread-safe (one trainer). */
public final class SasRecProgressListener implements SasRecListener {

    private ProgressBar bar;

    @Override
    public void onTrainingStart(Start start) {
        bar = new ProgressBar("train-sasrec", start.totalSteps(), "steps");
    }

    @Override
    public void onStep(Step step) {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void onTrainingEnd(SasRecTrainingResult result) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
