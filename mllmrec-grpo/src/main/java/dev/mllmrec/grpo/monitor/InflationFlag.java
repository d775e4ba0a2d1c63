package dev.mllmrec.grpo.monitor;

/**
 * One flagged validation: over the steps since the reference validation the training reward rose while the
 * validation metric did not improve.
 *
 * @param step            the validation's step
 * @param referenceStep   the earlier validation it was compared with
 * @param rewardRise      the fitted rise of the mean training reward between the two (slope times span)
 * @param metricChange    the validation metric's change between the two
 * @param metric          the validation metric's name
 */
public record InflationFlag(long step, long referenceStep, double rewardRise, double metricChange, String metric) {

    /** A one-line description for logs and summaries. */
    public String message() {
        return String.format(java.util.Locale.ROOT, "reward inflation at step %d: training reward rose by %.3f "
                        + "since step %d while validation %s changed by %+.4f", step, rewardRise, referenceStep,
                metric, metricChange);
    }
}
