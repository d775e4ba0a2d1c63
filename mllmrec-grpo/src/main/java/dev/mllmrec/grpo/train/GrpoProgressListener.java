package dev.mllmrec.grpo.train;

import dev.mllmrec.core.ProgressBar;

/** Draws a {@link ProgressBar} over GRPO steps. Not thread-safe (one trainer). */
public final class GrpoProgressListener implements GrpoListener {

    private ProgressBar bar;

    @Override
    public void onTrainingStart(Start start) {
        bar = new ProgressBar("grpo", Math.max(0, start.totalSteps() - start.startStep()), "steps");
    }

    @Override
    public void onStep(Step step) {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void onTrainingEnd(GrpoResult result) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
