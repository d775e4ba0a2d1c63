package dev.mllmrec.core.lm.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

    @Test
    void warmsUpLinearlyThenDecaysToTheMinimum() {
        assertThat(LrSchedule.COSINE.rate(1, 110, 10, 1e-3, 0.1)).isCloseTo(1e-4, within(1e-12));
        assertThat(LrSchedule.COSINE.rate(10, 110, 10, 1e-3, 0.1)).isCloseTo(1e-3, within(1e-12));
        assertThat(LrSchedule.COSINE.rate(60, 110, 10, 1e-3, 0.1)).isCloseTo(0.55e-3, within(1e-12));
        assertThat(LrSchedule.COSINE.rate(110, 110, 10, 1e-3, 0.1)).isCloseTo(1e-4, within(1e-12));
        assertThat(LrSchedule.LINEAR.rate(35, 110, 10, 1e-3, 0.0)).isCloseTo(0.75e-3, within(1e-12));
        assertThat(LrSchedule.CONSTANT.rate(100, 110, 10, 1e-3, 0.1)).isEqualTo(1e-3);
        assertThat(LrSchedule.LINEAR.rate(1, 5, 0, 2.0, 0.5)).isCloseTo(1.8, within(1e-12));
    }
}
