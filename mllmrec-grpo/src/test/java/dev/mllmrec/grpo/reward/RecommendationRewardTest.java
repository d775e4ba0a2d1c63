package dev.mllmrec.grpo.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.ScoredItem;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommendationRewardTest {

    // Target 7, candidates 3, 7, 9, 11.
    static final RecommendationSample SAMPLE = new RecommendationSample("u1-train", "u1", List.of(1, 2), 7,
            List.of(3, 7, 9, 11));

    @Test
    void referenceValues() {
        RecommendationReward r = RecommendationReward.reference();
        assertThat(r.name()).isEqualTo("recommendation");
        assertThat(r.reward("<think>likes thrillers</think>\n[ITEM_7] Heat", SAMPLE)).isEqualTo(1.0);
        assertThat(r.reward("[ITEM_9] Up", SAMPLE)).isEqualTo(0.3);
        assertThat(r.reward("[ITEM_500] Not offered", SAMPLE)).isEqualTo(0.3); // reference: just wrong
        assertThat(r.reward("I think item 7.", SAMPLE)).isEqualTo(-1.0);
        assertThat(r.reward("<think>unfinished", SAMPLE)).isEqualTo(-1.0);
        assertThat(r.reward("   [ITEM_7] Heat\n", SAMPLE)).isEqualTo(1.0);
        assertThat(r.reward("[ITEM_7] Heat\nIt fits the history.", SAMPLE)).isEqualTo(-1.0);
        assertThat(r.reward("[ITEM_7] Some other title", SAMPLE)).isEqualTo(1.0); // the title is not checked
    }

    @Test
    void outcomes() {
        RecommendationReward r = RecommendationReward.reference();
        assertThat(r.outcome("[ITEM_7] Heat", SAMPLE)).isEqualTo(AnswerOutcome.HIT);
        assertThat(r.outcome("[ITEM_3] X", SAMPLE)).isEqualTo(AnswerOutcome.MISS);
        assertThat(r.outcome("[ITEM_4] X", SAMPLE)).isEqualTo(AnswerOutcome.OUT_OF_CANDIDATES);
        assertThat(r.outcome("[ITEM_99999999999] X", SAMPLE)).isEqualTo(AnswerOutcome.OUT_OF_CANDIDATES);
        assertThat(r.outcome("nope", SAMPLE)).isEqualTo(AnswerOutcome.INVALID);
        assertThat(AnswerOutcome.OUT_OF_CANDIDATES.wellFormed()).isTrue();
    }

    @Test
    void idOutsideTheCandidatesCanCountAsInvalid() {
        RecommendationReward r = RecommendationReward.builder().optOutOfCandidates(OutOfCandidatePolicy.INVALID)
                .build();
        assertThat(r.reward("[ITEM_500] Not offered", SAMPLE)).isEqualTo(-1.0);
        assertThat(r.outcome("[ITEM_500] Not offered", SAMPLE)).isEqualTo(AnswerOutcome.INVALID);
        assertThat(r.reward("[ITEM_9] Up", SAMPLE)).isEqualTo(0.3);
    }

    @Test
    void rankAwarePartialCredit() {
        // Teacher ranking 9, 7, 11, 3 -> negatives in order 9, 11, 3 (m = 3); bonus = 0.2 * (m - 1 - k) / (m - 1):
        // 9 -> 0.2, 11 -> 0.1, 3 -> 0.0. The target keeps 1.0; an out-of-candidate id gets no bonus.
        Ranking teacher = new Ranking("u1", List.of(new ScoredItem(9, 4), new ScoredItem(7, 3),
                new ScoredItem(11, 2), new ScoredItem(3, 1)));
        RecommendationReward r = RecommendationReward.builder()
                .optPartialCredit(PartialCredit.rankAware(s -> teacher, 0.2)).build();
        assertThat(r.reward("[ITEM_9] a", SAMPLE)).isCloseTo(0.5, within(1e-12));
        assertThat(r.reward("[ITEM_11] a", SAMPLE)).isCloseTo(0.4, within(1e-12));
        assertThat(r.reward("[ITEM_3] a", SAMPLE)).isCloseTo(0.3, within(1e-12));
        assertThat(r.reward("[ITEM_7] a", SAMPLE)).isEqualTo(1.0);
        assertThat(r.reward("[ITEM_500] a", SAMPLE)).isEqualTo(0.3);
        assertThatThrownBy(() -> PartialCredit.rankAware(s -> teacher, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1.0");
    }

    @Test
    void customValues() {
        RecommendationReward r = RecommendationReward.builder().optName("rec").optTargetReward(2)
                .optWrongReward(0).optInvalidReward(-0.5).build();
        assertThat(r.name()).isEqualTo("rec");
        assertThat(r.reward("[ITEM_7] a", SAMPLE)).isEqualTo(2.0);
        assertThat(r.reward("[ITEM_3] a", SAMPLE)).isEqualTo(0.0);
        assertThat(r.reward("?", SAMPLE)).isEqualTo(-0.5);
        assertThatThrownBy(() -> RecommendationReward.builder().optWrongReward(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    }
}
