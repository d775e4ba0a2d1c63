package dev.mllmrec.grpo.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.grpo.train.GrpoHistory;
import dev.mllmrec.grpo.train.GrpoListener;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic series: rising reward with flat HR is flagged; both rising is not; resume replays the same flags. */
class RewardInflationMonitorTest {

    /** 100 steps, reward rising linearly from -0.5 to 0.5 with a small wobble; validation every 10 steps. */
    private static void feed(RewardInflationMonitor m, boolean hrRises) {
        m.onTrainingStart(new GrpoListener.Start(1, 10, 100, 0, false, GrpoHistory.empty()));
        m.onValidation(new GrpoListener.Validation(0, Map.of("HR@3", 0.30), true));
        for (int s = 1; s <= 100; s++) {
            double reward = -0.5 + s / 100.0 + 0.02 * Math.sin(s);
            m.onStep(new GrpoListener.Step(s, 0, reward, 0.1, Map.of()));
            if (s % 10 == 0) {
                double hr = hrRises ? 0.30 + 0.004 * s : 0.30 + (s % 20 == 0 ? 0.0 : -0.01);
                m.onValidation(new GrpoListener.Validation(s, Map.of("HR@3", hr), false));
            }
        }
    }

    @Test
    void risingRewardWithFlatValidationIsFlagged(@TempDir Path dir) throws Exception {
        Path chart = dir.resolve("grpo").resolve("reward_vs_validation.png");
        RewardInflationMonitor m = RewardInflationMonitor.builder().optWindowSteps(20).optMinRewardRise(0.1)
                .optChartFile(chart).build();
        feed(m, false);
        assertThat(m.flags()).isNotEmpty();
        assertThat(m.flags()).extracting(InflationFlag::step).allMatch(s -> s >= 20);
        InflationFlag f = m.flags().get(0);
        assertThat(f.step() - f.referenceStep()).isGreaterThanOrEqualTo(20);
        assertThat(f.rewardRise()).isGreaterThan(0.1);
        assertThat(f.metricChange()).isLessThanOrEqualTo(0.0);
        assertThat(f.message()).contains("reward inflation at step " + f.step());
        assertThat(m.shouldStop()).isFalse();
        BufferedImage img = ImageIO.read(chart.toFile());
        assertThat(img.getWidth()).isEqualTo(RewardValidationChart.WIDTH);
        assertThat(img.getHeight()).isEqualTo(RewardValidationChart.HEIGHT);
    }

    @Test
    void bothRisingIsNotFlagged() {
        RewardInflationMonitor m = RewardInflationMonitor.builder().optWindowSteps(20).build();
        feed(m, true);
        assertThat(m.flags()).isEmpty();
    }

    @Test
    void flatRewardIsNotFlaggedEvenWhenValidationIsFlat() {
        RewardInflationMonitor m = RewardInflationMonitor.builder().optWindowSteps(20).build();
        m.onTrainingStart(new GrpoListener.Start(1, 10, 60, 0, false, GrpoHistory.empty()));
        for (int s = 1; s <= 60; s++) {
            m.onStep(new GrpoListener.Step(s, 0, 0.2 + 0.01 * Math.sin(s), 0.1, Map.of()));
            if (s % 10 == 0) {
                m.onValidation(new GrpoListener.Validation(s, Map.of("HR@3", 0.3), false));
            }
        }
        assertThat(m.flags()).isEmpty();
    }

    @Test
    void stopsAfterConsecutiveFlagsAndReplaysTheSameFlagsOnResume() {
        RewardInflationMonitor m = RewardInflationMonitor.builder().optWindowSteps(20).optStopAfterFlags(2).build();
        feed(m, false);
        assertThat(m.shouldStop()).isTrue();

        List<GrpoHistory.StepPoint> steps = m.steps();
        List<GrpoHistory.ValidationPoint> validations = m.validations();
        RewardInflationMonitor resumed = RewardInflationMonitor.builder().optWindowSteps(20).optStopAfterFlags(2)
                .build();
        resumed.onTrainingStart(new GrpoListener.Start(1, 10, 100, 100, true,
                new GrpoHistory(steps, validations)));
        assertThat(resumed.flags()).isEqualTo(m.flags());
        assertThat(resumed.shouldStop()).isTrue();
    }

    @Test
    void rewardRiseIsTheFittedSlopeTimesTheSpan() {
        List<GrpoHistory.StepPoint> points = new ArrayList<>();
        for (int s = 1; s <= 10; s++) {
            points.add(new GrpoHistory.StepPoint(s, 0.05 * s, 0));
        }
        assertThat(RewardInflationMonitor.rewardRise(points, 0, 10)).isCloseTo(0.5, within(1e-9));
        assertThat(RewardInflationMonitor.rewardRise(points, 4, 10)).isCloseTo(0.3, within(1e-9));
        assertThat(RewardInflationMonitor.rewardRise(points, 9, 10)).isNaN();
    }
}
