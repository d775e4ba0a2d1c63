package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.Assessment;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try")
class SequenceScorerTest {

    static WordTokenizer tok;
    static CausalLm lm;

    @BeforeAll
    static void setUp() {
        tok = TestModels.tokenizer();
        lm = CausalLm.create(LmConfig.builder().optPreset(LmConfig.Preset.TINY).setVocabSize(tok.vocabSize())
                .optInitStd(0.3).build(), 21);
    }

    @AfterAll
    static void tearDown() {
        lm.close();
    }

    /** log p(answer | prompt) by one full forward pass over prompt + answer. */
    static double bruteForce(int[] prompt, int[] answer) {
        if (answer.length == 0) {
            return 0;
        }
        int n = prompt.length + answer.length;
        long[] seq = new long[n];
        for (int i = 0; i < prompt.length; i++) {
            seq[i] = prompt[i];
        }
        for (int i = 0; i < answer.length; i++) {
            seq[prompt.length + i] = answer[i];
        }
        try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.disabled()) {
            float[] logits = lm.forward(m.create(seq, new Shape(1, n))).toFloatArray();
            int v = lm.vocabSize();
            double sum = 0;
            for (int i = 0; i < answer.length; i++) {
                int pos = prompt.length - 1 + i;
                sum += TokenSampler.logProb(logits, pos * v, v, answer[i]);
            }
            return sum;
        }
    }

    @Test
    void batchedCachedScoresEqualOneFullForwardPerPair() {
        List<ScoringRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<int[]> answers = new ArrayList<>();
            for (int a = 0; a < 4; a++) {
                answers.add(TestModels.randomPrompt((a + i) % 4, 1000 + 10 * i + a)); // lengths 0..3
            }
            requests.add(new ScoringRequest(TestModels.randomPrompt(3 + 2 * i % 7, 50 + i), answers));
        }
        // Small batches exercise chunking, prompt sorting and the fan-out of the cache.
        SequenceScorer scorer = new SequenceScorer(lm, 0, 2, 5);
        List<double[]> got = scorer.score(requests);
        for (int i = 0; i < requests.size(); i++) {
            for (int a = 0; a < 4; a++) {
                double expected = bruteForce(requests.get(i).prompt(), requests.get(i).answers().get(a));
                assertThat(got.get(i)[a]).as("request %d answer %d", i, a).isCloseTo(expected, within(1e-4));
            }
        }
        assertThat(new SequenceScorer(lm, 0).score(requests).get(3)).containsExactly(got.get(3), within(1e-4));
        assertThat(scorer.logLikelihood(requests.get(1).prompt(), requests.get(1).answers().get(2)))
                .isCloseTo(got.get(1)[2], within(1e-4));
    }

    static final String W56 = TestModels.word(5) + TestModels.word(6);

    @Test
    void assessorMeasuresTheGainOfTheReasoning() {
        RecommendationSample sample = new RecommendationSample("u1-train", "u1", List.of(1, 2), 3, List.of(3, 4));
        CotTrace trace = new CotTrace("u1-train", "test", TestModels.word(1) + TestModels.word(2) + TestModels.word(3), List.of("a", "b", "c", "d"), true);
        CotTrace invalid = new CotTrace("u1-train", "test", TestModels.word(4), List.of(), false);
        PolicyLikelihoodAssessor.PromptRenderer renderer = (s, cot) -> new PolicyLikelihoodAssessor.PromptAndAnswer(
                W56 + (cot == null ? "" : "<think>" + cot.text() + "</think>"), "[ITEM_" + s.target() + "]" + TestModels.word(7));
        PolicyLikelihoodAssessor assessor = new PolicyLikelihoodAssessor(lm, tok, renderer, 0.0);
        assertThat(tok.encode(W56)).doesNotContain(tok.specialTokens().unk());
        Assessment a = assessor.assess(trace, sample);
        double with = bruteForce(tok.encode(W56 + "<think>" + trace.text() + "</think>"), tok.encode("[ITEM_3]" + TestModels.word(7)));
        double plain = bruteForce(tok.encode(W56), tok.encode("[ITEM_3]" + TestModels.word(7)));
        assertThat(a.score()).isCloseTo(with - plain, within(1e-4));
        assertThat(a.kept()).isEqualTo(with - plain > 0);
        assertThat(a.scores()).containsKeys("policy_likelihood", "policy_likelihood.logp_plain");
        Assessment bad = assessor.assessAll(List.of(invalid), List.of(sample)).get(0);
        assertThat(bad.kept()).isFalse();
        assertThat(bad.reason()).isEqualTo("invalid-trace");
    }
}
