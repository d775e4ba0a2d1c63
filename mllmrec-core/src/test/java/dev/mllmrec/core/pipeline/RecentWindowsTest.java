package dev.mllmrec.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.data.LeaveOneOut;
import dev.mllmrec.core.data.Split;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentWindowsTest {

    // 8 items: test target 8, validation target 7, training prefix 1..6 with windows t = 1..5 (targets 2..6).
    static final UserHistory EIGHT = new UserHistory("a", List.of(1, 2, 3, 4, 5, 6, 7, 8));
    // 4 items: prefix 1..2, one training window (t = 1, target 2).
    static final UserHistory FOUR = new UserHistory("b", List.of(1, 2, 3, 4));
    // 10 items (MovieLens' minimum): prefix 1..8, windows t = 1..7.
    static final UserHistory TEN = new UserHistory("c", List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));

    @Test
    void holdsOutTheLastRTrainingWindowsOfEachUserButAtMostAThird() {
        // TEN has 7 windows: both go to GRPO; EIGHT has 5: one (a third, rounded down); FOUR's only window stays.
        assertThat(RecentWindows.sampleIds(List.of(TEN, EIGHT, FOUR), 2))
                .containsExactlyInAnyOrder("uc-train-6", "uc-train-7", "ua-train-5");
        assertThat(RecentWindows.sampleIds(List.of(EIGHT), 0)).isEmpty();
        assertThat(RecentWindows.heldOut(8, 2)).isEqualTo(2);
        assertThat(RecentWindows.heldOut(6, 2)).isEqualTo(1);
        assertThat(RecentWindows.heldOut(3, 2)).isZero();
    }

    @Test
    void sftPrefixesStopBeforeTheFirstHeldOutTarget() {
        assertThat(RecentWindows.sftPrefixes(List.of(TEN, EIGHT, FOUR), 2))
                .containsExactly(List.of(1, 2, 3, 4, 5, 6), List.of(1, 2, 3, 4, 5), List.of(1, 2));
        assertThat(RecentWindows.sftPrefixes(List.of(EIGHT), 0)).containsExactly(List.of(1, 2, 3, 4, 5, 6));
    }

    @Test
    void heldOutAndKeptWindowsPartitionTheTrainingWindows() {
        for (int r = 0; r <= 6; r++) {
            Set<String> held = RecentWindows.sampleIds(List.of(EIGHT), r);
            Set<String> all = new HashSet<>();
            for (LeaveOneOut.Window w : LeaveOneOut.windows(EIGHT.items(), Split.TRAIN, 9)) {
                all.add(LeaveOneOut.sampleId("a", Split.TRAIN, w.targetIndex()));
            }
            assertThat(all).containsAll(held);
            // Every kept window's target lies inside the SFT prefix; no held-out target does.
            List<Integer> prefix = RecentWindows.sftPrefixes(List.of(EIGHT), r).get(0);
            for (LeaveOneOut.Window w : LeaveOneOut.windows(EIGHT.items(), Split.TRAIN, 9)) {
                boolean isHeld = held.contains(LeaveOneOut.sampleId("a", Split.TRAIN, w.targetIndex()));
                assertThat(w.targetIndex() < prefix.size()).as("r=%d t=%d", r, w.targetIndex()).isEqualTo(!isHeld);
            }
        }
        assertThatThrownBy(() -> RecentWindows.sampleIds(List.of(EIGHT), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    }
}
