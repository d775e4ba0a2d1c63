package dev.mllmrec.grpo.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.ScoringRequest;
import dev.mllmrec.core.lm.SequenceScorer;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rollout shapes, masks, seeds, and old/reference log-probs against an independent recomputation. */
class GroupRolloutTest {

    private static WordTokenizer tokenizer;
    private static CausalLm policy;
    private static CausalLm reference;

    @BeforeAll
    static void setUp() {
        tokenizer = GrpoFixtures.tokenizer();
        policy = GrpoFixtures.model(tokenizer, 7);
        reference = GrpoFixtures.model(tokenizer, 8);
    }

    @AfterAll
    static void tearDown() {
        policy.close();
        reference.close();
    }

    private static GroupRollout rollout(boolean constrained) {
        return GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optReference(reference)
                .optGroupSize(4).optMaxCompletionTokens(8).optConstrainToCandidates(constrained).build();
    }

    @Test
    void shapesMasksAndTexts() {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(3);
        RolloutBatch b = rollout(false).generate(prompts, 11);
        assertThat(b.size()).isEqualTo(12);
        assertThat(b.promptTokens()).hasSize(3);
        int longest = b.completionTokens().stream().mapToInt(t -> t.length).max().orElseThrow();
        assertThat(b.tokens()).isEqualTo(longest).isLessThanOrEqualTo(8);
        float[] mask = b.mask();
        float[] old = b.oldLogProbs();
        for (int c = 0; c < b.size(); c++) {
            int len = b.completionTokens().get(c).length;
            assertThat(len).isBetween(1, 8);
            for (int t = 0; t < b.tokens(); t++) {
                float m = mask[c * b.tokens() + t];
                assertThat(m).isEqualTo(t < len ? 1f : 0f);
                if (t >= len) {
                    assertThat(old[c * b.tokens() + t]).isZero();
                } else {
                    assertThat(old[c * b.tokens() + t]).isNegative();
                }
            }
            assertThat(b.sampleOf(c)).isEqualTo(prompts.get(c / 4).sample());
            if (b.stopReasons().get(c) == Generation.StopReason.LENGTH) {
                assertThat(len).isEqualTo(8);
            }
        }
        assertThat(b.completionTokenCount()).isEqualTo((long) sum(mask));
        // Same seed, same batch; another seed, another batch.
        RolloutBatch again = rollout(false).generate(prompts, 11);
        RolloutBatch other = rollout(false).generate(prompts, 12);
        assertThat(again.completions()).isEqualTo(b.completions());
        assertThat(again.oldLogProbs()).containsExactly(b.oldLogProbs());
        assertThat(other.completions()).isNotEqualTo(b.completions());
    }

    @Test
    void oldAndReferenceLogProbsMatchSequenceScorer() {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(3);
        RolloutBatch b = rollout(false).generate(prompts, 5);
        int t = b.tokens();
        float[] old = b.oldLogProbs();
        float[] ref = b.refLogProbs();
        List<ScoringRequest> requests = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            requests.add(new ScoringRequest(b.promptTokens().get(p), b.completionTokens().subList(p * 4, p * 4 + 4)));
        }
        // Score one request at a time so that the batching differs from the rollout's.
        SequenceScorer policyScorer = new SequenceScorer(policy, tokenizer.specialTokens().pad(), 1, 1);
        SequenceScorer refScorer = new SequenceScorer(reference, tokenizer.specialTokens().pad(), 1, 1);
        List<float[][]> expectedOld = policyScorer.tokenLogProbs(requests);
        List<float[][]> expectedRef = refScorer.tokenLogProbs(requests);
        for (int c = 0; c < b.size(); c++) {
            float[] eo = expectedOld.get(c / 4)[c % 4];
            float[] er = expectedRef.get(c / 4)[c % 4];
            for (int j = 0; j < eo.length; j++) {
                assertThat(old[c * t + j]).isCloseTo(eo[j], within(1e-4f));
                assertThat(ref[c * t + j]).isCloseTo(er[j], within(1e-4f));
            }
        }
    }

    @Test
    void withoutReferenceThereAreNoReferenceLogProbs() {
        RolloutBatch b = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(2)
                .optMaxCompletionTokens(4).build().generate(GrpoFixtures.grpoPrompts(1), 1);
        assertThat(b.refLogProbs()).isNull();
        assertThat(b.referenceSeconds()).isZero();
    }

    @Test
    void constrainedRolloutsStartWithACandidate() {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(2);
        RolloutBatch b = rollout(true).generate(prompts, 3);
        for (int c = 0; c < b.size(); c++) {
            int[] ids = b.completionTokens().get(c);
            if (ids[0] == tokenizer.specialTokens().thinkStart()) {
                continue; // <think> may open the answer; the item constraint applies after </think>
            }
            int item = tokenizer.itemIdOf(ids[0]);
            assertThat(b.sampleOf(c).candidates()).contains(item);
            assertThat(b.completions().get(c)).startsWith("[ITEM_" + item + "]");
        }
    }

    @Test
    void withAnswerLinesEveryCompletionIsACandidatesWholeLineAndOnlyItsItemTokenIsTrained() {
        PromptBuilder pb = GrpoFixtures.prompts();
        GroupRollout lines = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optReference(reference)
                .optGroupSize(4).optMaxCompletionTokens(12).optConstrainToCandidates(true)
                .optAnswerLines(pb::answer).build();
        RolloutBatch b = lines.generate(GrpoFixtures.grpoPrompts(3), 9);
        for (int c = 0; c < b.size(); c++) {
            int item = tokenizer.itemIdOf(b.completionTokens().get(c)[0]);
            assertThat(b.sampleOf(c).candidates()).contains(item);
            // The reward sees exactly the candidate's answer line: well formed by construction.
            assertThat(b.completions().get(c)).isEqualTo(pb.answer(item));
            assertThat(b.stopReasons().get(c)).isEqualTo(Generation.StopReason.EOS);
            // Only the chosen item token is in the loss; the forced line and its end are not.
            float[] mask = b.mask();
            int t = b.tokens();
            assertThat(mask[c * t]).isEqualTo(1f);
            for (int j = 1; j < t; j++) {
                assertThat(mask[c * t + j]).isZero();
            }
        }
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float f : a) {
            s += f;
        }
        return s;
    }
}
