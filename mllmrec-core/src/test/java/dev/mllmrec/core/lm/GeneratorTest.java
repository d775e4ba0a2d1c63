package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    static WordTokenizer tok;
    static CausalLm lm;
    static Generator gen;

    @BeforeAll
    static void setUp() {
        tok = TestModels.tokenizer();
        lm = CausalLm.create(LmConfig.builder().optPreset(LmConfig.Preset.TINY).setVocabSize(tok.vocabSize())
                .optInitStd(0.3).build(), 11);
        gen = new Generator(lm, tok);
    }

    @AfterAll
    static void tearDown() {
        lm.close();
    }

    static List<int[]> prompts() {
        return List.of(TestModels.randomPrompt(7, 1), TestModels.randomPrompt(3, 2), TestModels.randomPrompt(12, 3));
    }

    static GenerationConfig.Builder noStops() {
        return GenerationConfig.builder().optStopOnEos(false).optStopOnNewline(false).optMaxNewTokens(16);
    }

    @Test
    void rankedListsArePlackettLuceDrawsOverTheAllowedIds() {
        // Allowed ids 1..4 with probabilities 0.1, 0.2, 0.3, 0.4 at temperature 1; id 0 is not allowed.
        float[] logits = {9f, (float) Math.log(1), (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
        int[] allowed = {1, 2, 3, 4};
        SeededRandom rng = new SeededRandom(17);
        int draws = 200_000;
        int[] first = new int[5];
        int pair43 = 0;
        for (int i = 0; i < draws; i++) {
            int[] list = Generator.rankedList(logits, allowed, 2, 1.0, rng);
            assertThat(list).hasSize(2);
            assertThat(list[0]).isNotEqualTo(list[1]).isBetween(1, 4);
            first[list[0]]++;
            pair43 += list[0] == 4 && list[1] == 3 ? 1 : 0;
        }
        for (int id = 1; id <= 4; id++) {
            assertThat(first[id] / (double) draws).as("P(first = %d)", id).isCloseTo(id / 10.0, within(0.005));
        }
        assertThat(pair43 / (double) draws).isCloseTo(0.4 * 0.3 / 0.6, within(0.005));
        // The same draw's probability, as the rollout records it.
        assertThat(Generator.rankedListLogProb(logits, 0, allowed, new int[] {4, 3})).isCloseTo(Math.log(0.2),
                within(1e-6));
        // No temperature: the logits' order; k beyond the allowed ids is cut to them.
        assertThat(Generator.rankedList(logits, allowed, 9, 0.0, rng)).containsExactly(4, 3, 2, 1);
    }

    @Test
    void cachedAndUncachedGreedyDecodingGiveIdenticalTokens() {
        List<Generation> cached = gen.generate(prompts(), noStops().build());
        List<Generation> uncached = gen.generate(prompts(), noStops().optUseCache(false).build());
        for (int i = 0; i < cached.size(); i++) {
            assertThat(cached.get(i).tokens()).as("row %d", i).containsExactly(uncached.get(i).tokens());
            float[] a = cached.get(i).logProbs();
            float[] b = uncached.get(i).logProbs();
            for (int t = 0; t < a.length; t++) {
                assertThat(a[t]).isCloseTo(b[t], within(1e-4f));
            }
        }
        // With the default stops too (rows end at different steps, so the batch shrinks).
        List<Generation> c2 = gen.generate(prompts(), GenerationConfig.builder().optMaxNewTokens(16).build());
        List<Generation> u2 = gen.generate(prompts(),
                GenerationConfig.builder().optMaxNewTokens(16).optUseCache(false).build());
        for (int i = 0; i < c2.size(); i++) {
            assertThat(c2.get(i).tokens()).containsExactly(u2.get(i).tokens());
            assertThat(c2.get(i).stopReason()).isEqualTo(u2.get(i).stopReason());
        }
    }

    @Test
    void aPromptInABatchDecodesAsItDoesAlone() {
        List<Generation> batch = gen.generate(prompts(), noStops().build());
        for (int i = 0; i < 3; i++) {
            Generation alone = gen.generate(List.of(prompts().get(i)), noStops().build()).get(0);
            assertThat(batch.get(i).tokens()).containsExactly(alone.tokens());
        }
    }

    @Test
    void samplingIsDeterministicPerSeedAndIndependentOfTheBatch() {
        GenerationConfig sampled = noStops().optSampling(Sampling.topP(1.0, 0.95)).optSeed(5).build();
        List<Generation> a = gen.generate(prompts(), sampled);
        List<Generation> b = gen.generate(prompts(), sampled);
        assertThat(a).isEqualTo(b);
        List<Generation> c = gen.generate(prompts(), noStops().optSampling(Sampling.topP(1.0, 0.95)).optSeed(6)
                .build());
        assertThat(c).isNotEqualTo(a);
        Generation first = gen.generate(List.of(prompts().get(0)), sampled).get(0);
        assertThat(first.tokens()).containsExactly(a.get(0).tokens());
    }

    @Test
    void repeatedPromptsShareOnePrefillAndSampleAsTheUncachedPathDoes() {
        List<int[]> group = new ArrayList<>();
        for (int[] p : prompts()) {
            for (int g = 0; g < 4; g++) {
                group.add(p.clone());
            }
        }
        GenerationConfig sampled = noStops().optSampling(Sampling.topP(0.9, 0.9)).optSeed(5).build();
        List<Generation> shared = gen.generate(group, sampled);
        List<Generation> uncached = gen.generate(group, noStops().optSampling(Sampling.topP(0.9, 0.9)).optSeed(5)
                .optUseCache(false).build());
        for (int i = 0; i < group.size(); i++) {
            assertThat(shared.get(i).tokens()).as("row %d", i).containsExactly(uncached.get(i).tokens());
            float[] a = shared.get(i).logProbs();
            float[] b = uncached.get(i).logProbs();
            for (int t = 0; t < a.length; t++) {
                assertThat(a[t]).isCloseTo(b[t], within(1e-4f));
            }
        }
        assertThat(shared.get(0).tokens()).isNotEqualTo(shared.get(1).tokens());
    }

    @Test
    void itemConstraintMasksOtherItemsAndCanForceTheFirstToken() {
        List<int[]> many = new ArrayList<>();
        List<ItemConstraint> onlyTwo = new ArrayList<>();
        List<ItemConstraint> first = new ArrayList<>();
        int[] allowed = {tok.itemTokenId(2), tok.itemTokenId(5)};
        for (int i = 0; i < 12; i++) {
            many.add(TestModels.randomPrompt(4 + i % 5, 100 + i));
            onlyTwo.add(new ItemConstraint(allowed, false));
            first.add(new ItemConstraint(allowed, true));
        }
        GenerationConfig hot = noStops().optSampling(Sampling.temperature(2.0)).optMaxNewTokens(12).build();
        boolean sawItem = false;
        for (Generation g : gen.generate(many, hot, onlyTwo)) {
            for (int t : g.tokens()) {
                int item = tok.itemIdOf(t);
                if (item >= 0) {
                    sawItem = true;
                    assertThat(item).isIn(2, 5);
                }
            }
        }
        assertThat(sawItem).isTrue();
        for (Generation g : gen.generate(many, hot, first)) {
            int[] t = g.tokens();
            if (t[0] == tok.specialTokens().thinkStart()) {
                continue; // a think block may open the answer; the item is then forced after </think>
            }
            assertThat(tok.itemIdOf(t[0])).isIn(2, 5);
        }
    }

    @Test
    void aChosenCandidateCommitsTheRowToItsAnswerLineAndThinkCanBeRuledOut() {
        int two = tok.itemTokenId(2);
        int five = tok.itemTokenId(5);
        int eos = tok.specialTokens().eos();
        int[] lineOfTwo = {tok.encode(TestModels.word(7))[0], tok.encode(TestModels.word(8))[0], eos};
        int[] lineOfFive = {tok.encode(TestModels.word(9))[0], eos};
        ItemConstraint lines = new ItemConstraint(new int[] {two, five}, true, false,
                java.util.Map.of(two, lineOfTwo, five, lineOfFive));
        List<int[]> many = new ArrayList<>();
        List<ItemConstraint> constraints = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            many.add(TestModels.randomPrompt(4 + i % 5, 300 + i));
            constraints.add(lines);
        }
        // Hot sampling would wander anywhere; the forced lines leave only the first token to chance.
        GenerationConfig hot = GenerationConfig.builder().optSampling(Sampling.temperature(3.0)).optMaxNewTokens(12)
                .optStopOnEos(true).optSeed(5).build();
        java.util.Set<Integer> chosen = new java.util.HashSet<>();
        for (Generation g : gen.generate(many, hot, constraints)) {
            int[] t = g.tokens();
            assertThat(t[0]).isIn(two, five); // never <think>: thinkFirst is off
            chosen.add(t[0]);
            int[] expected = t[0] == two ? lineOfTwo : lineOfFive;
            assertThat(java.util.Arrays.copyOfRange(t, 1, t.length)).containsExactly(expected);
            assertThat(g.stopReason()).isEqualTo(Generation.StopReason.EOS);
        }
        assertThat(chosen).containsExactlyInAnyOrder(two, five);
    }

    @Test
    void stopsOnAStopTokenAndReportsTheBudget() {
        Generation free = gen.generate(List.of(prompts().get(0)), noStops().build()).get(0);
        assertThat(free.stopReason()).isEqualTo(Generation.StopReason.LENGTH);
        assertThat(free.tokens()).hasSize(16);
        int stopAt = free.tokens()[3];
        int firstIndex = 0;
        while (free.tokens()[firstIndex] != stopAt) {
            firstIndex++;
        }
        Generation stopped = gen.generate(List.of(prompts().get(0)), noStops().optExtraStopIds(stopAt).build())
                .get(0);
        assertThat(stopped.stopReason()).isEqualTo(Generation.StopReason.STOP_TOKEN);
        assertThat(stopped.tokens()).hasSize(firstIndex + 1);
        assertThat(stopped.contentTokens()).hasSize(firstIndex);
        assertThat(stopped.logProbs()[0]).isEqualTo(free.logProbs()[0]).isNegative();
    }

    @Test
    void rejectsPromptsThatDoNotFitTheContext() {
        int[] huge = TestModels.randomPrompt(lm.contextLength(), 1);
        assertThatThrownBy(() -> gen.generate(List.of(huge), noStops().build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context length");
    }
}
