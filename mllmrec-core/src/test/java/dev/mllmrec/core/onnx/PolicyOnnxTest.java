package dev.mllmrec.core.onnx;

import static dev.mllmrec.core.onnx.SasRecOnnxTest.maxDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.TestModels;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.RankingView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy exported to ONNX ranks like the DJL likelihood recommender, with and without item content. */
class PolicyOnnxTest {

    /** Items 1..10 have tokens (ids 6..15); items 11 and 12 are scored through their text. */
    static final Catalog CATALOG = catalog();

    private static Catalog catalog() {
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            items.add(Item.of(i, TestModels.word(i).strip() + TestModels.word(i + 3)));
        }
        return Catalog.of("tiny", items);
    }

    /** A model whose every weight (LayerNorm gains and biases too) is random, so no term hides behind a zero. */
    static CausalLm model(boolean content, boolean tied, int... untrained) {
        LmConfig base = LmConfig.builder().optPreset(LmConfig.Preset.TINY).setVocabSize(50).optTiedEmbeddings(tied)
                .build();
        CausalLm lm;
        if (content) {
            LmConfig c = base.withContent(new LmConfig.ItemContentShape(6, 6, 10));
            float[] vectors = new float[60];
            SeededRandom r = new SeededRandom(9);
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = (float) r.nextGaussian();
            }
            lm = CausalLm.create(c, 3, vectors, untrained);
        } else {
            lm = CausalLm.create(base, 3);
        }
        Map<String, float[]> values = lm.parameterValues();
        SeededRandom r = new SeededRandom(17);
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            if (e.getKey().equals(CausalLm.CONTENT_VECTORS) || e.getKey().equals(CausalLm.UNTRAINED_ITEMS)) {
                continue;
            }
            float[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (r.nextGaussian() * (e.getKey().endsWith("gamma") ? 0.3 : 0.1));
            }
        }
        lm.setParameterValues(values);
        return lm;
    }

    static List<RankingRequest> requests(int n, long seed) {
        Random rnd = new Random(seed);
        List<RankingRequest> out = new ArrayList<>();
        for (int u = 0; u < n; u++) {
            List<Integer> history = new ArrayList<>();
            for (int i = rnd.nextInt(9); i > 0; i--) {
                history.add(1 + rnd.nextInt(12));
            }
            List<Integer> candidates = new ArrayList<>();
            for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                candidates.add(1 + rnd.nextInt(12));
            }
            out.add(new RankingRequest("u" + u, history, candidates));
        }
        return out;
    }

    private static double compare(CausalLm lm, PromptBuilder.Style style, AnswerScope scope, Path dir) {
        return compare(lm, style, scope, RankingView.CANDIDATES, dir);
    }

    private static double compare(CausalLm lm, PromptBuilder.Style style, AnswerScope scope, RankingView view,
                                  Path dir) {
        WordTokenizer tokenizer = TestModels.tokenizer();
        tokenizer.save(dir.resolve("source-tokenizer.json"));
        Path export = dir.resolve("export");
        PolicyOnnxExporter.export(lm, dir.resolve("source-tokenizer.json"), style, tokenizer.specialTokens().pad(),
                "sft", null, export);
        PromptBuilder prompts = PromptBuilder.builder().setCatalog(CATALOG).optStyle(style).build();
        List<RankingRequest> requests = requests(120, 4);
        List<Ranking> djl = new LikelihoodRecommender("sft", lm, tokenizer, prompts, scope, view)
                .rankAll(requests);
        try (OnnxRecommender onnx = OnnxRecommender.loadPolicy(export, CATALOG, scope, view,
                OnnxSessionConfig.builder().optBatchSize(16).build())) {
            // An explicit view names the recommender, so that its report does not replace the default view's.
            assertThat(onnx.name()).isEqualTo(view == null ? "sft-onnx" : "sft-" + view.id() + "-onnx");
            double diff = maxDifference(djl, onnx.rankAll(requests));
            System.out.printf("policy ONNX vs DJL (%s, %s, %s): max |score difference| %.3g%n", lm.config(), style,
                    scope, diff);
            return diff;
        }
    }

    @Test
    void itemTokenScoresEqualDjlWithItemContent(@TempDir Path dir) {
        try (CausalLm lm = model(true, true)) {
            assertThat(compare(lm, PromptBuilder.Style.COMPACT, AnswerScope.ITEM_TOKEN, dir)).isLessThan(1e-4);
        }
    }

    @Test
    void bothViewsScoreTheSumOfEachViewAndOnnxEqualsDjl(@TempDir Path dir) {
        try (CausalLm lm = model(true, true)) {
            WordTokenizer tokenizer = TestModels.tokenizer();
            PromptBuilder prompts = PromptBuilder.builder().setCatalog(CATALOG)
                    .optStyle(PromptBuilder.Style.COMPACT).build();
            List<RankingRequest> requests = requests(40, 9);
            List<Ranking> both = new LikelihoodRecommender("sft", lm, tokenizer, prompts, AnswerScope.ITEM_TOKEN,
                    RankingView.BOTH).rankAll(requests);
            List<Ranking> candidates = new LikelihoodRecommender("sft", lm, tokenizer, prompts,
                    AnswerScope.ITEM_TOKEN, RankingView.CANDIDATES).rankAll(requests);
            List<Ranking> history = new LikelihoodRecommender("sft", lm, tokenizer, prompts,
                    AnswerScope.ITEM_TOKEN, RankingView.HISTORY).rankAll(requests);
            for (int q = 0; q < requests.size(); q++) {
                for (ScoredItem s : both.get(q).items()) {
                    assertThat(s.score()).isCloseTo(score(candidates.get(q), s.itemId())
                            + score(history.get(q), s.itemId()), within(1e-5));
                }
            }
            // The history view scores the item after the sequence prompt, so it differs from the candidate view.
            assertThat(score(history.get(0), requests.get(0).candidates().get(0)))
                    .isNotCloseTo(score(candidates.get(0), requests.get(0).candidates().get(0)), within(1e-6));
            assertThat(compare(lm, PromptBuilder.Style.COMPACT, AnswerScope.ITEM_TOKEN, RankingView.BOTH, dir))
                    .isLessThan(1e-4);
        }
        assertThat(RankingView.defaultFor(PromptBuilder.Style.COMPACT, AnswerScope.ITEM_TOKEN))
                .isEqualTo(RankingView.HISTORY);
        assertThat(RankingView.defaultFor(PromptBuilder.Style.REFERENCE, AnswerScope.FULL_ANSWER))
                .isEqualTo(RankingView.CANDIDATES);
        assertThat(RankingView.of(" History ")).isEqualTo(RankingView.HISTORY);
        assertThatThrownBy(() -> RankingView.of("sequence")).hasMessageContaining("candidates, history, both");
        assertThatThrownBy(() -> RankingView.check(RankingView.BOTH, AnswerScope.FULL_ANSWER))
                .hasMessageContaining("'both'");
    }

    private static double score(Ranking r, int itemId) {
        for (ScoredItem s : r.items()) {
            if (s.itemId() == itemId) {
                return s.score();
            }
        }
        throw new AssertionError("item " + itemId + " not ranked");
    }

    @Test
    void untrainedItemsAreServedAsDjlServesThemWithAnUntiedHead(@TempDir Path dir) {
        try (CausalLm lm = model(true, false, 7, 11)) {
            assertThat(lm.untrainedItems()).containsExactly(7, 11);
            assertThat(compare(lm, PromptBuilder.Style.COMPACT, AnswerScope.ITEM_TOKEN, dir)).isLessThan(1e-4);
        }
    }

    @Test
    void fullAnswerScoresEqualDjlWithoutContentAndAnUntiedHead(@TempDir Path dir) {
        try (CausalLm lm = model(false, false)) {
            assertThat(compare(lm, PromptBuilder.Style.REFERENCE, AnswerScope.FULL_ANSWER, dir)).isLessThan(1e-4);
        }
    }
}
