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

    @Test
    void holdsOutTheLastRTrainingWindowsOfEachUser() {
        assertThat(RecentWindows.sampleIds(List.of(EIGHT, FOUR), 2))
                .containsExactlyInAnyOrder("ua-train-4", "ua-train-5", "ub-train-1");
        assertThat(RecentWindows.sampleIds(List.of(EIGHT), 0)).isEmpty();
    }

    @Test
    void sftPrefixesStopBeforeTheFirstHeldOutTarget() {
        assertThat(RecentWindows.sftPrefixes(List.of(EIGHT, FOUR), 2))
                .containsExactly(List.of(1, 2, 3, 4), List.of(1));
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
