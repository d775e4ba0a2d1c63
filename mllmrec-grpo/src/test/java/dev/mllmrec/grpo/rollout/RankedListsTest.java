package dev.mllmrec.grpo.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranked-list credit and Plackett-Luce log-probabilities against hand-computed values; list rollouts. */
class RankedListsTest {

    @Test
    void creditIsTheGapDiscountedByThePlaceOfTheTarget() {
        int[] list = {5, 7, 9};
        assertThat(RankedLists.credit(list, 5, 0.7)).isZero(); // first: the answer's own reward counts it
        assertThat(RankedLists.credit(list, 7, 0.7)).isCloseTo(0.7 / 1.5849625007211563, within(1e-12));
        assertThat(RankedLists.credit(list, 9, 0.7)).isCloseTo(0.35, within(1e-12));
        assertThat(RankedLists.credit(list, 4, 0.7)).isZero();
        assertThat(RankedLists.credit(list, -1, 0.7)).isZero();
    }

    @Test
    void listLogProbIsThePlackettLuceProductOverTheCandidates() {
        // Candidates 1..4 with probabilities 0.1, 0.2, 0.3, 0.4 among them (token 0 is not a candidate).
        float[] lp = {(float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.1), (float) Math.log(0.15),
                (float) Math.log(0.2)};
        int[] cand = {1, 2, 3, 4};
        assertThat(RankedLists.listLogProb(lp, cand, new int[] {4})).isCloseTo(Math.log(0.4), within(1e-6));
        // P(4, 3) = 0.4 * 0.3 / 0.6 = 0.2; P(4, 3, 1) = 0.2 * 0.1 / 0.3.
        assertThat(RankedLists.listLogProb(lp, cand, new int[] {4, 3})).isCloseTo(Math.log(0.2), within(1e-6));
        assertThat(RankedLists.listLogProb(lp, cand, new int[] {4, 3, 1}))
                .isCloseTo(Math.log(0.2 / 3), within(1e-6));
        // Every full ordering's probabilities sum to 1.
        double total = 0;
        for (int a : cand) {
            for (int b : cand) {
                if (b != a) {
                    total += Math.exp(RankedLists.listLogProb(lp, cand, new int[] {a, b}));
                }
            }
        }
        assertThat(total).isCloseTo(1.0, within(1e-5));
        assertThatThrownBy(() -> RankedLists.listLogProb(lp, cand, new int[] {4, 4}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsListsOutsideTheirCandidates() {
        assertThatThrownBy(() -> new RankedLists(new int[] {0}, List.of(new int[] {3}), List.of(new int[] {1, 2})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one of its candidates");
        assertThatThrownBy(() -> new RankedLists(new int[] {-1}, List.of(new int[] {1}), List.of(new int[] {1})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listRolloutsDrawDistinctCandidatesAndRecordTheListLogProbForPolicyAndReference() {
        WordTokenizer tokenizer = GrpoFixtures.tokenizer();
        try (CausalLm policy = GrpoFixtures.model(tokenizer, 3); CausalLm reference = policy.copy()) {
            List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(3);
            RolloutBatch b = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(4)
                    .optReference(reference).optConstrainToCandidates(true)
                    .optAnswerLines(GrpoFixtures.prompts()::answer).optRankedList(3).optMaxCompletionTokens(8)
                    .build().generate(prompts, 11);
            RankedLists lists = b.rankedLists();
            assertThat(lists).isNotNull();
            float[] old = b.oldLogProbs();
            float[] ref = b.refLogProbs();
            for (int c = 0; c < b.size(); c++) {
                int[] list = lists.lists().get(c);
                assertThat(list).hasSize(3).doesNotHaveDuplicates();
                assertThat(lists.positions()[c]).isZero();
                assertThat(b.completionTokens().get(c)[0]).isEqualTo(list[0]);
                for (int id : list) {
                    assertThat(lists.candidates().get(c)).contains(id);
                }
                // A list of 3 among 4 candidates is less likely than its first item alone.
                assertThat(old[c * b.tokens()]).isNegative();
                assertThat(ref[c * b.tokens()]).isCloseTo(old[c * b.tokens()], within(1e-4f));
            }
            assertThatThrownBy(() -> GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer)
                    .optRankedList(3).build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("constrained");
        }
    }
}
