package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.ProgressBar;

/** Draws a {@link ProgressBar} over optimizer steps. Not thread-safe (one trainer). */
public final class SftProgressListener implements SftListener {

    private ProgressBar bar;

    @Override
    public void onTrainingStart(Start start) {
        bar = new ProgressBar("sft", start.totalSteps() - start.startStep(), "steps");
    }

    @Override
    public void onStep(Step step) {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void onTrainingEnd(SftResult result) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
