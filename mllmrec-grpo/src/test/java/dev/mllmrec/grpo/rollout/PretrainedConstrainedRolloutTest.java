package dev.mllmrec.grpo.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.lm.AnswerTrie;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.hf.HfConfig;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.tokenizer.HfTextTokenizer;
import dev.mllmrec.core.prompt.AnswerParser;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GRPO rollouts constrained to the candidates with a pretrained tokenizer (the real Qwen3 one, no token per item)
 * and random Qwen3-architecture weights: each completion spells one candidate's whole answer line through the
 * prefix trie of their tokens, the tokens the trie forced are out of the loss, and a seed fixes the batch.
 */
class PretrainedConstrainedRolloutTest {

    private static HfTextTokenizer tokenizer;
    private static HfDecoder policy;

    private static final PromptBuilder PROMPTS = PromptBuilder.builder()
            .setTitles(id -> id == 23 ? "Heat (1995)" : id == 230 ? "Heat Wave (1990)" : "Movie " + id + " (1999)")
            .optChatTemplate(ChatTemplate.qwen3()).build();

    @BeforeAll
    static void setUp() {
        Path json = Path.of(System.getProperty("mllmrec.shared.dir", "../../shared"))
                .resolve("data/tokenizers/qwen3/tokenizer.json");
        Assumptions.assumeTrue(Files.isRegularFile(json), "The shared Qwen3 tokenizer is missing: " + json);
        tokenizer = HfTextTokenizer.load(json);
        HfConfig config = new HfConfig(HfConfig.Family.QWEN3, 32, 64, 1, 2, 1, 16, 151_936, 4096, 1e-6, 1e6, true,
                false, false, 151_643, new int[] {151_645});
        policy = HfDecoder.create(config, HfDecoder.randomWeights(config, 11, 0.5));
    }

    @AfterAll
    static void tearDown() {
        if (policy != null) {
            policy.close();
            tokenizer.close();
        }
    }

    private static List<GrpoPrompt> prompts() {
        List<GrpoPrompt> out = new ArrayList<>();
        // Ids that share prefixes (2 / 23 / 230, 7 / 71) and titles that share words.
        List<RecommendationSample> samples = List.of(
                new RecommendationSample("s1", "u1", List.of(11, 12, 13), 23, List.of(2, 23, 230, 7, 71)),
                new RecommendationSample("s2", "u2", List.of(14, 15), 71, List.of(71, 23, 1000, 2)));
        for (RecommendationSample s : samples) {
            out.add(new GrpoPrompt(s, PROMPTS.prompt(s)));
        }
        return out;
    }

    private static GroupRollout rollout(int rankedList) {
        return GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(6)
                .optMaxCompletionTokens(24).optConstrainToCandidates(true).optAnswerLines(PROMPTS::answer)
                .optRankedList(rankedList).optSampling(dev.mllmrec.core.lm.Sampling.topP(1.5, 1.0)).build();
    }

    @Test
    void everyCompletionIsACandidatesWholeAnswerLineAndTheSeedFixesThem() {
        List<GrpoPrompt> prompts = prompts();
        RolloutBatch b = rollout(1).generate(prompts, 17);
        assertThat(b.size()).isEqualTo(12);
        List<Integer> answered = new ArrayList<>();
        for (int c = 0; c < b.size(); c++) {
            RecommendationSample s = prompts.get(c / 6).sample();
            int item = AnswerParser.strict().parseId(b.completions().get(c));
            assertThat(s.candidates()).as(b.completions().get(c)).contains(item);
            assertThat(b.completions().get(c)).isEqualTo(PROMPTS.answer(item));
            int[] ids = b.completionTokens().get(c);
            assertThat(ids[ids.length - 1]).isEqualTo(tokenizer.specialTokens().eos());
            assertThat(b.stopReasons().get(c)).isEqualTo(Generation.StopReason.EOS);
            // Only the tokens where candidates branched carry the loss: the digits of the id, never '[ITEM_'
            // or the title after a decided id.
            AnswerTrie trie = rollout(1).answerTrie(prompts.get(c / 6));
            boolean[] chosen = trie.chosen(ids);
            int counted = 0;
            for (int j = 0; j < b.tokens(); j++) {
                float m = b.mask()[c * b.tokens() + j];
                assertThat(m).isEqualTo(j < ids.length && chosen[j] ? 1f : 0f);
                counted += (int) m;
            }
            assertThat(counted).isBetween(1, ids.length - 3);
            assertThat(b.mask()[c * b.tokens()]).isZero();
            answered.add(item);
        }
        assertThat(answered.stream().distinct().count()).as("random weights at temperature 1.5 vary the answers")
                .isGreaterThan(2);

        RolloutBatch again = rollout(1).generate(prompts, 17);
        for (int c = 0; c < b.size(); c++) {
            assertThat(again.completionTokens().get(c)).containsExactly(b.completionTokens().get(c));
            assertThat(again.oldLogProbs()).containsExactly(b.oldLogProbs());
        }
    }

    @Test
    void rankedListsAndShortBudgetsAreRefusedWithAMessage() {
        assertThatThrownBy(() -> rollout(3).generate(prompts(), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one token per item").hasMessageContaining("--ranked-list 1");
        GroupRollout short6 = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(2)
                .optMaxCompletionTokens(6).optConstrainToCandidates(true).optAnswerLines(PROMPTS::answer).build();
        assertThatThrownBy(() -> short6.generate(prompts(), 1)).hasMessageContaining("Sample s1")
                .hasMessageContaining("--max-completion-tokens");
        GroupRollout noLines = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(2)
                .optConstrainToCandidates(true).build();
        assertThatThrownBy(() -> noLines.generate(prompts(), 1)).hasMessageContaining("answer lines");
    }
}
