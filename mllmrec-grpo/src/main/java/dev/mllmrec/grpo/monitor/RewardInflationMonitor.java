package dev.mllmrec.grpo.monitor;

import dev.mllmrec.grpo.train.GrpoHistory;
import dev.mllmrec.grpo.train.GrpoListener;
import dev.mllmrec.grpo.train.GrpoResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a GRPO run for the paper's failure mode, <em>reward inflation</em>: the training reward rises while
 * validation quality (by default HR@3) does not. At every validation at step {@code s} it picks the reference
 * validation, the latest one at a step at or before {@code s - windowSteps}, and flags step {@code s} when
 *
 * <ul>
 *   <li>the training reward rose: the least-squares slope of the per-step mean reward over the steps after the
 *       reference up to {@code s}, times that span, exceeds {@code minRewardRise}; and</li>
 *   <li>the validation metric did not improve: its change since the reference is at most
 *       {@code minMetricGain}.</li>
 * </ul>
 *
 * A flag is logged as a warning; after {@code stopAfterFlags} consecutive flagged validations (0: never) it asks
 * the trainer to stop, which keeps the best-validation checkpoint anyway. With a chart file it redraws the PNG chart
 * of training reward against the validation metric ({@link RewardValidationChart}) at every validation and at the
 * end. On resume it rebuilds its state from the run's history, so flags do not depend on interruptions.
 *
 * <p>Not thread-safe: one trainer, one thread.
 */
public final class RewardInflationMonitor implements GrpoListener {

    private static final Logger LOG = LoggerFactory.getLogger(RewardInflationMonitor.class);

    private final int windowSteps;
    private final double minRewardRise;
    private final String metric;
    private final double minMetricGain;
    private final int stopAfterFlags;
    private final Path chartFile;
    private final List<GrpoHistory.StepPoint> steps = new ArrayList<>();
    private final List<GrpoHistory.ValidationPoint> validations = new ArrayList<>();
    private final List<InflationFlag> flags = new ArrayList<>();
    private int consecutiveFlags;

    private RewardInflationMonitor(Builder b) {
        this.windowSteps = b.windowSteps;
        this.minRewardRise = b.minRewardRise;
        this.metric = b.metric;
        this.minMetricGain = b.minMetricGain;
        this.stopAfterFlags = b.stopAfterFlags;
        this.chartFile = b.chartFile;
    }

    /** A builder with the defaults (window 50 steps, rise 0.1, HR@3, gain 0, never stop, no chart). */
    public static Builder builder() {
        return new Builder();
    }

    /** The flags raised so far, in step order. */
    public List<InflationFlag> flags() {
        return List.copyOf(flags);
    }

    /** The validation metric watched. */
    public String metric() {
        return metric;
    }

    @Override
    public void onTrainingStart(Start start) {
        steps.clear();
        validations.clear();
        flags.clear();
        consecutiveFlags = 0;
        List<GrpoHistory.StepPoint> past = start.history().steps();
        int next = 0;
        for (GrpoHistory.ValidationPoint v : start.history().validations()) {
            while (next < past.size() && past.get(next).step() <= v.step()) {
                steps.add(past.get(next++));
            }
            judge(v, false);
        }
        while (next < past.size()) {
            steps.add(past.get(next++));
        }
    }

    @Override
    public void onStep(Step step) {
        steps.add(new GrpoHistory.StepPoint(step.step(), step.rewardMean(), step.hitRate()));
    }

    @Override
    public void onValidation(Validation validation) {
        judge(new GrpoHistory.ValidationPoint(validation.step(), validation.metrics()), true);
        drawChart();
    }

    @Override
    public void onTrainingEnd(GrpoResult result) {
        drawChart();
    }

    @Override
    public boolean shouldStop() {
        return stopAfterFlags > 0 && consecutiveFlags >= stopAfterFlags;
    }

    /**
     * Judges a validation against the steps recorded so far and records it.
     *
     * @return the flag, when this validation shows reward inflation
     */
    public Optional<InflationFlag> judge(GrpoHistory.ValidationPoint v, boolean log) {
        Optional<InflationFlag> flag = check(v);
        validations.add(v);
        if (flag.isPresent()) {
            flags.add(flag.get());
            consecutiveFlags++;
            if (log) {
                LOG.warn("{}{}", flag.get().message(), shouldStop() ? "; stopping early" : "");
            }
        } else if (v.metrics().containsKey(metric)) {
            consecutiveFlags = 0;
        }
        return flag;
    }

    private Optional<InflationFlag> check(GrpoHistory.ValidationPoint v) {
        Double value = v.metrics().get(metric);
        if (value == null) {
            return Optional.empty();
        }
        GrpoHistory.ValidationPoint ref = null;
        for (GrpoHistory.ValidationPoint earlier : validations) {
            if (earlier.step() <= v.step() - windowSteps && earlier.metrics().containsKey(metric)) {
                ref = earlier;
            }
        }
        if (ref == null) {
            return Optional.empty();
        }
        double rise = rewardRise(steps, ref.step(), v.step());
        if (Double.isNaN(rise)) {
            return Optional.empty();
        }
        double change = value - ref.metrics().get(metric);
        if (rise > minRewardRise && change <= minMetricGain) {
            return Optional.of(new InflationFlag(v.step(), ref.step(), rise, change, metric));
        }
        return Optional.empty();
    }

    /**
     * The fitted rise of the mean reward over the steps in {@code (fromExclusive, toInclusive]}: the least-squares
     * slope against the step times {@code toInclusive - fromExclusive}; {@code NaN} with fewer than two steps.
     */
    public static double rewardRise(List<GrpoHistory.StepPoint> points, long fromExclusive, long toInclusive) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (GrpoHistory.StepPoint p : points) {
            if (p.step() > fromExclusive && p.step() <= toInclusive) {
                sx += p.step();
                sy += p.rewardMean();
                n++;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        double mx = sx / n;
        double my = sy / n;
        double sxx = 0;
        double sxy = 0;
        for (GrpoHistory.StepPoint p : points) {
            if (p.step() > fromExclusive && p.step() <= toInclusive) {
                sxx += (p.step() - mx) * (p.step() - mx);
                sxy += (p.step() - mx) * (p.rewardMean() - my);
            }
        }
        return sxy / sxx * (toInclusive - fromExclusive);
    }

    /** Redraws the chart now (a no-op without a chart file). */
    public void drawChart() {
        if (chartFile != null && !steps.isEmpty()) {
            RewardValidationChart.write(chartFile, steps, validations, metric, flags);
        }
    }

    /** The steps recorded (for charts and tests). */
    public List<GrpoHistory.StepPoint> steps() {
        return List.copyOf(steps);
    }

    /** The validations recorded. */
    public List<GrpoHistory.ValidationPoint> validations() {
        return List.copyOf(validations);
    }

    /** The settings as a map, for summaries. */
    public Map<String, Object> settings() {
        return Map.of("window_steps", windowSteps, "min_reward_rise", minRewardRise, "metric", metric,
                "min_metric_gain", minMetricGain, "stop_after_flags", stopAfterFlags);
    }

    /** Builds a {@link RewardInflationMonitor}. Not thread-safe. */
    public static final class Builder {
        private int windowSteps = 50;
        private double minRewardRise = 0.1;
        private String metric = "HR@3";
        private double minMetricGain = 0.0;
        private int stopAfterFlags = 0;
        private Path chartFile;

        private Builder() {
        }

        /** The least span, in steps, between a validation and its reference (default 50). */
        public Builder optWindowSteps(int v) {
            windowSteps = v;
            return this;
        }

        /** The fitted reward rise above which the reward counts as rising (default 0.1). */
        public Builder optMinRewardRise(double v) {
            minRewardRise = v;
            return this;
        }

        /** The validation metric watched (default {@code HR@3}). */
        public Builder optMetric(String v) {
            metric = Objects.requireNonNull(v, "metric");
            return this;
        }

        /** The metric must rise by more than this to count as improving (default 0). */
        public Builder optMinMetricGain(double v) {
            minMetricGain = v;
            return this;
        }

        /** Stop after this many consecutive flagged validations (default 0: never stop). */
        public Builder optStopAfterFlags(int v) {
            stopAfterFlags = v;
            return this;
        }

        /** Where to draw the PNG chart (default none). */
        public Builder optChartFile(Path file) {
            chartFile = file;
            return this;
        }

        /** Validates and builds. */
        public RewardInflationMonitor build() {
            if (windowSteps < 1) {
                throw new IllegalArgumentException("The window must be at least 1 step, got " + windowSteps + ".");
            }
            if (!Double.isFinite(minRewardRise) || !Double.isFinite(minMetricGain)) {
                throw new IllegalArgumentException("The thresholds must be finite, got reward rise " + minRewardRise
                        + " and metric gain " + minMetricGain + ".");
            }
            if (stopAfterFlags < 0) {
                throw new IllegalArgumentException("stopAfterFlags must be >= 0 (0: never stop), got "
                        + stopAfterFlags + ".");
            }
            if (metric.isBlank()) {
                throw new IllegalArgumentException("The watched metric needs a name.");
            }
            return new RewardInflationMonitor(this);
        }
    }
}
