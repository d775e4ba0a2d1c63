package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeaveOneOutTest {

    private static final List<Integer> SEQ = List.of(11, 12, 13, 14, 15, 16, 17);

    @Test
    void testAndValidationAreTheLastTwoItems() {
        assertThat(LeaveOneOut.windows(SEQ, Split.TEST, 3))
                .containsExactly(new LeaveOneOut.Window(6, List.of(14, 15, 16), 17));
        assertThat(LeaveOneOut.windows(SEQ, Split.VALIDATION, 3))
                .containsExactly(new LeaveOneOut.Window(5, List.of(13, 14, 15), 16));
    }

    @Test
    void trainingSlidesOverThePrefixWithoutValidationAndTest() {
        assertThat(LeaveOneOut.windows(SEQ, Split.TRAIN, 2)).containsExactly(
                new LeaveOneOut.Window(1, List.of(11), 12),
                new LeaveOneOut.Window(2, List.of(11, 12), 13),
                new LeaveOneOut.Window(3, List.of(12, 13), 14),
                new LeaveOneOut.Window(4, List.of(13, 14), 15));
        assertThat(LeaveOneOut.trainingPrefix(SEQ)).containsExactly(11, 12, 13, 14, 15);
    }

    @Test
    void shortSequencesGiveOnlyTheWindowsTheyCan() {
        assertThat(LeaveOneOut.windows(List.of(1), Split.TEST, 9)).isEmpty();
        assertThat(LeaveOneOut.windows(List.of(1, 2), Split.TEST, 9)).hasSize(1);
        assertThat(LeaveOneOut.windows(List.of(1, 2), Split.VALIDATION, 9)).isEmpty();
        assertThat(LeaveOneOut.windows(List.of(1, 2, 3), Split.TRAIN, 9)).isEmpty();
        assertThat(LeaveOneOut.windows(List.of(1, 2, 3, 4), Split.TRAIN, 9)).hasSize(1);
    }

    @Test
    void sampleIdsAreStable() {
        assertThat(LeaveOneOut.sampleId("42", Split.TEST, 9)).isEqualTo("u42-test");
        assertThat(LeaveOneOut.sampleId("42", Split.VALIDATION, 8)).isEqualTo("u42-validation");
        assertThat(LeaveOneOut.sampleId("42", Split.TRAIN, 3)).isEqualTo("u42-train-3");
    }
}
