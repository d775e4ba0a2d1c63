package dev.mllmrec.core.lm.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.GenerationConfig;
import dev.mllmrec.core.lm.Generator;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.TestModels;
import dev.mllmrec.core.lm.tokenizer.TextTokenizers;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {

    static final WordTokenizer TOK = TestModels.tokenizer();
    static final LmConfig CONFIG = LmConfig.Preset.TINY.config(TOK.vocabSize());

    /** A learnable toy task: the answer is the item named by the prompt's first word. */
    static List<SftExample> examples(int n, long seed) {
        SeededRandom r = new SeededRandom(seed);
        List<SftExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int first = r.nextInt(10);
            StringBuilder p = new StringBuilder(TestModels.word(first));
            int len = 3 + r.nextInt(6);
            for (int j = 0; j < len; j++) {
                p.append(TestModels.word(10 + r.nextInt(20)));
            }
            p.append("\n");
            out.add(new SftExample(p.toString(), "[ITEM_" + (first + 1) + "]" + TestModels.word(30 + first % 4)));
        }
        return out;
    }

    static SftConfig.Builder config() {
        return SftConfig.builder().optBatchSize(8).optLearningRate(1e-2).optWarmupFraction(0.1)
                .optLogEverySteps(1).optCheckpointEverySteps(0).optSeed(3);
    }

    @Test
    void learnsAToyTaskWithAFallingLossAndFlatMemory(@TempDir Path dir) {
        List<SftExample> data = examples(96, 1);
        List<Double> epochLosses = new ArrayList<>();
        try (CausalLm lm = CausalLm.create(CONFIG, 7)) {
            int arraysBefore = lm.manager().getManagedArrays().size();
            SftTrainer trainer = SftTrainer.builder().setModel(lm).setTokenizer(TOK)
                    .optConfig(config().optEpochs(6).build())
                    .optMetricsFile(dir.resolve("metrics.jsonl"))
                    .optValidator((model, epoch) -> Map.of("epoch", (double) epoch))
                    .addListener(new SftListener() {
                        @Override
                        public void onEpochEnd(Epoch epoch) {
                            epochLosses.add(epoch.trainLoss());
                        }
                    })
                    .build();
            SftResult result = trainer.train(data);
            assertThat(result.completed()).isTrue();
            assertThat(result.steps()).isEqualTo(6 * 12).isEqualTo(result.totalSteps());
            assertThat(result.validation()).containsEntry("epoch", 5.0);
            assertThat(result.tokensPerSecond()).isPositive();
            assertThat(epochLosses).hasSize(6);
            assertThat(epochLosses.get(5)).isLessThan(epochLosses.get(0) * 0.5);
            assertThat(lm.manager().getManagedArrays().size()).isEqualTo(arraysBefore);
            List<JsonNode> lines = JsonLines.read(dir.resolve("metrics.jsonl"), JsonNode.class);
            for (String key : List.of("step", "loss", "lr", "tokens_per_second")) {
                assertThat(lines.get(0).has(key)).as(key).isTrue();
            }
            // The trained policy answers training prompts with the right item.
            Generator gen = new Generator(lm, TOK);
            List<String> prompts = data.subList(0, 16).stream().map(SftExample::prompt).toList();
            List<String> answers = gen.generateText(prompts, GenerationConfig.builder().optMaxNewTokens(4).build());
            int right = 0;
            for (int i = 0; i < prompts.size(); i++) {
                right += answers.get(i).startsWith(data.get(i).answer()) ? 1 : 0;
            }
            assertThat(right).isGreaterThanOrEqualTo(12);
        }
    }

    @Test
    void aRunStoppedAndResumedFromItsCheckpointEndsBitForBitLikeAnUninterruptedOne(@TempDir Path dir) {
        assertResumeIsExact(dir, examples(40, 2), config().optEpochs(2).optBatchSize(4).optGradientAccumulation(2)
                .optCheckpointEverySteps(3).build()); // 10 micro-batches = 5 steps per epoch, 10 steps
    }

    @Test
    void withDropoutAndSampledNegativesAResumedRunStillEndsBitForBitLikeAnUninterruptedOne(@TempDir Path dir) {
        // Dropout masks and negatives are seeded per step, so a resumed run draws exactly the same ones.
        List<SftExample> data = new ArrayList<>();
        List<SftExample> some = examples(40, 2);
        for (int i = 0; i < some.size(); i++) {
            // Half open-ended (sampled softmax on their item targets), half complete answers (full softmax).
            SftExample e = some.get(i);
            data.add(new SftExample(e.prompt(), e.answer(), List.of(9, 10), i % 2 == 0));
        }
        assertResumeIsExact(dir, data, config().optEpochs(2).optBatchSize(4).optGradientAccumulation(2)
                .optCheckpointEverySteps(3).optDropout(0.2).optSampledNegatives(3).build());
    }

    @Test
    void aSampledSoftmaxWithExclusionsLearnsTheToyTaskAndNeedsANegativePool() {
        // Open-ended answers of one item token: every target is an item of an open-ended example, so every target
        // gets the sampled softmax over itself and two pool tokens.
        List<SftExample> data = new ArrayList<>();
        for (SftExample e : examples(96, 1)) {
            data.add(new SftExample(e.prompt(), e.answer().substring(0, e.answer().indexOf(']') + 1), List.of(9, 10),
                    true));
        }
        List<Double> epochLosses = new ArrayList<>();
        try (CausalLm lm = CausalLm.create(CONFIG, 7)) {
            SftTrainer trainer = SftTrainer.builder().setModel(lm).setTokenizer(TOK)
                    .optConfig(config().optEpochs(4).optSampledNegatives(2).optDropout(0.1)
                            .optAnswerEnd(AnswerEnd.NONE).build())
                    .optNegativePool(itemTokens())
                    .addListener(new SftListener() {
                        @Override
                        public void onEpochEnd(Epoch epoch) {
                            epochLosses.add(epoch.trainLoss());
                        }
                    })
                    .build();
            trainer.train(data);
            // A 3-way softmax starts near log 3 = 1.0986 and must fall well below it.
            assertThat(epochLosses.get(0)).isLessThan(1.2);
            assertThat(epochLosses.get(3)).isLessThan(epochLosses.get(0) * 0.6);
        }
        assertThatThrownBy(() -> SftTrainer.builder().setModel(CausalLm.create(CONFIG, 1)).setTokenizer(TOK)
                .optConfig(config().optSampledNegatives(2).build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optNegativePool");
    }

    @Test
    void completeAnswersKeepTheFullSoftmaxEvenForTheirItemTokens() {
        // Complete answers ("[ITEM_k] word" and the end marker) are what generation samples from, so a sampled
        // softmax configured for open-ended windows must leave their loss exactly the full softmax's. One step over
        // the whole set reports the loss before its only update.
        List<SftExample> answers = examples(16, 4);
        double[] losses = new double[2];
        for (int k = 0; k < 2; k++) {
            try (CausalLm lm = CausalLm.create(CONFIG, 7)) {
                SftResult r = SftTrainer.builder().setModel(lm).setTokenizer(TOK)
                        .optConfig(config().optEpochs(1).optBatchSize(16).optSampledNegatives(k == 0 ? 0 : 3).build())
                        .optNegativePool(itemTokens())
                        .build().train(answers);
                losses[k] = r.trainLoss();
            }
        }
        assertThat(losses[0]).isGreaterThan(2.0); // about log(vocabulary), far above a 4-way softmax's log 4
        assertThat(losses[1]).isCloseTo(losses[0], within(1e-5));
    }

    @Test
    void aSharedSampledSoftmaxCoversOpenEndedTargetsOnlyAndOverTheWholeVocabularyIsTheFullSoftmax() {
        // Open-ended examples (item-sequence windows): with at least vocabulary-many text negatives the shared
        // candidate set is the whole vocabulary, the same softmax in another column order, so the loss before the
        // only update equals the full softmax's; with 4 negatives it is a softmax over the batch's distinct targets
        // (at most 10 items and 4 words) plus 4 draws, far below log(vocabulary). Complete answers keep the full
        // softmax whatever the setting.
        List<SftExample> complete = examples(16, 4);
        List<SftExample> open = complete.stream()
                .map(e -> new SftExample(e.prompt(), e.answer(), List.of(), true)).toList();
        int[] textNegatives = {0, TOK.vocabSize() + 5, 4};
        double[] openLoss = new double[3];
        double[] completeLoss = new double[3];
        for (int k = 0; k < 3; k++) {
            openLoss[k] = firstLoss(open, textNegatives[k]);
            completeLoss[k] = firstLoss(complete, textNegatives[k]);
        }
        assertThat(openLoss[0]).isGreaterThan(2.0);
        assertThat(openLoss[1]).isCloseTo(openLoss[0], within(1e-5));
        assertThat(openLoss[2]).isLessThan(Math.log(18) + 0.5).isLessThan(openLoss[0] - 0.5);
        assertThat(completeLoss[1]).isEqualTo(completeLoss[0]);
        assertThat(completeLoss[2]).isEqualTo(completeLoss[0]);
    }

    @Test
    void theSoftmaxOverTheWholePoolIsTheFullSoftmaxWhenThePoolIsTheVocabulary() {
        // ALL_POOL: an item target of an open-ended window gets the exact softmax over every pool token. With the
        // whole vocabulary as the pool that is the full softmax in another column order (same loss before the only
        // update); with the item tokens as the pool it leaves the words out, so the loss is lower.
        List<SftExample> open = examples(16, 4).stream()
                .map(e -> new SftExample(e.prompt(), e.answer(), List.of(), true)).toList();
        int[] vocabulary = java.util.stream.IntStream.range(0, TOK.vocabSize()).toArray();
        double full = firstLoss(open, 0, 0, null);
        double allVocabulary = firstLoss(open, SftConfig.ALL_POOL, 0, vocabulary);
        double allItems = firstLoss(open, SftConfig.ALL_POOL, 0, itemTokens());
        assertThat(full).isGreaterThan(2.0);
        assertThat(allVocabulary).isCloseTo(full, within(1e-5));
        assertThat(allItems).isLessThan(full - 0.05);
        assertThatThrownBy(() -> SftTrainer.builder().setModel(CausalLm.create(CONFIG, 1)).setTokenizer(TOK)
                .optConfig(config().optSampledNegatives(SftConfig.ALL_POOL).build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optNegativePool");
        assertThatThrownBy(() -> config().optSampledNegatives(-2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ALL_POOL");
    }

    @Test
    void logSumExpIsExactForLargeAndSmallRows() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // ln(e^1000 + e^1000) = 1000 + ln 2 (e^1000 overflows a float); ln(e^0 + e^ln3) = ln 4;
            // ln(e^-5 + e^-5 + e^-5) = ln 3 - 5.
            NDArray logits = m.create(new float[] {1000f, 1000f, Float.NEGATIVE_INFINITY, 0f, (float) Math.log(3),
                    Float.NEGATIVE_INFINITY, -5f, -5f, -5f}, new Shape(3, 3));
            float[] lse = SftTrainer.logSumExp(logits).toFloatArray();
            assertThat(lse).hasSize(3);
            assertThat(lse[0]).isCloseTo(1000f + (float) Math.log(2), within(1e-3f));
            assertThat(lse[1]).isCloseTo((float) Math.log(4), within(1e-6f));
            assertThat(lse[2]).isCloseTo((float) Math.log(3) - 5f, within(1e-6f));
        }
    }

    @Test
    void thePoolSoftmaxWeightAddsThatShareOfTheExactSoftmaxToTheSampledOne() {
        // sampled + w * exact: on windows whose every target is an item token, the loss before the only update is
        // the sampled softmax's (the same seeded draws) plus w times the exact softmax's over the item tokens.
        List<SftExample> open = examples(16, 4).stream()
                .map(e -> new SftExample(e.prompt(), e.answer().substring(0, e.answer().indexOf(']') + 1),
                        List.of(), true)).toList();
        double sampled = itemLoss(open, 3, 0);
        double exact = itemLoss(open, SftConfig.ALL_POOL, 0);
        double mixed = itemLoss(open, 3, 0.5);
        assertThat(exact).isGreaterThan(sampled); // more candidates than 1 + 3
        assertThat(mixed).isCloseTo(sampled + 0.5 * exact, within(1e-4));
        assertThat(SftConfig.recommended().poolSoftmaxWeight()).isEqualTo(SftConfig.RECOMMENDED_POOL_SOFTMAX_WEIGHT);
        assertThatThrownBy(() -> config().optPoolSoftmaxWeight(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poolSoftmaxWeight");
    }

    /** The loss of one step over all of {@code data} with these negatives (null pool: none). */
    private static double firstLoss(List<SftExample> data, int sampledNegatives, int textNegatives, int[] pool) {
        return firstLoss(data, config().optSampledNegatives(sampledNegatives).optTextNegatives(textNegatives), pool);
    }

    /** The loss of item-token windows (no end-of-answer target) with k sampled negatives and pool weight w. */
    private static double itemLoss(List<SftExample> data, int k, double w) {
        return firstLoss(data, config().optSampledNegatives(k).optPoolSoftmaxWeight(w).optAnswerEnd(AnswerEnd.NONE),
                itemTokens());
    }

    /** The loss of one step over all of {@code data} under {@code config} (null pool: none). */
    private static double firstLoss(List<SftExample> data, SftConfig.Builder config, int[] pool) {
        try (CausalLm lm = CausalLm.create(CONFIG, 7)) {
            SftTrainer.Builder b = SftTrainer.builder().setModel(lm).setTokenizer(TOK)
                    .optConfig(config.optEpochs(1).optBatchSize(data.size()).build());
            if (pool != null) {
                b.optNegativePool(pool);
            }
            return b.build().train(data).trainLoss();
        }
    }

    /** The loss of one step over all of {@code data} (reported before the step's update). */
    private static double firstLoss(List<SftExample> data, int textNegatives) {
        try (CausalLm lm = CausalLm.create(CONFIG, 7)) {
            return SftTrainer.builder().setModel(lm).setTokenizer(TOK)
                    .optConfig(config().optEpochs(1).optBatchSize(data.size()).optTextNegatives(textNegatives).build())
                    .build().train(data).trainLoss();
        }
    }

    @Test
    void withSharedTextNegativesAResumedRunStillEndsBitForBitLikeAnUninterruptedOne(@TempDir Path dir) {
        assertResumeIsExact(dir, examples(40, 2), config().optEpochs(2).optBatchSize(4).optGradientAccumulation(2)
                .optCheckpointEverySteps(3).optDropout(0.2).optSampledNegatives(3).optTextNegatives(5).build());
    }

    @Test
    void anOpenEndedExampleGetsNoEndOfAnswerToken() {
        SftConfig eos = config().build();
        SftExample closed = new SftExample("w1 w2\n", "[ITEM_3]");
        SftExample open = new SftExample("w1 w2\n", "[ITEM_3]", List.of(), true);
        SftData data = SftData.tokenize(List.of(closed, open), TOK, eos, 64);
        int eosId = TOK.specialTokens().eos();
        assertThat(data.sequences[0][data.sequences[0].length - 1]).isEqualTo(eosId);
        assertThat(data.sequences[1]).hasSize(data.sequences[0].length - 1).doesNotContain(eosId);
        assertThat(data.sequences[1][data.sequences[1].length - 1]).isEqualTo(TOK.itemTokenId(3));
    }

    /** The token ids of items 1..10. */
    static int[] itemTokens() {
        int[] out = new int[10];
        for (int i = 0; i < 10; i++) {
            out[i] = TOK.itemTokenId(i + 1);
        }
        return out;
    }

    private static void assertResumeIsExact(Path dir, List<SftExample> data, SftConfig cfg) {
        Map<String, float[]> straight;
        SftResult straightResult;
        try (CausalLm lm = CausalLm.create(CONFIG, 9)) {
            straightResult = SftTrainer.builder().setModel(lm).setTokenizer(TOK).optConfig(cfg)
                    .optNegativePool(itemTokens())
                    .optCheckpointDir(dir.resolve("a")).build().train(data);
            straight = lm.parameterValues();
        }
        Path ckpt = dir.resolve("b");
        Path metrics = dir.resolve("b-metrics.jsonl");
        try (CausalLm lm = CausalLm.create(CONFIG, 9)) {
            AtomicInteger steps = new AtomicInteger();
            SftTrainer[] holder = new SftTrainer[1];
            holder[0] = SftTrainer.builder().setModel(lm).setTokenizer(TOK).optConfig(cfg).optCheckpointDir(ckpt)
                    .optNegativePool(itemTokens())
                    .optMetricsFile(metrics)
                    .addListener(new SftListener() {
                        @Override
                        public void onStep(Step step) {
                            if (steps.incrementAndGet() == 4) {
                                holder[0].requestStop(); // "killed" one step after the step-3 checkpoint
                            }
                        }
                    }).build();
            SftResult partial = holder[0].train(data);
            assertThat(partial.completed()).isFalse();
            assertThat(partial.steps()).isEqualTo(4);
        }
        assertThat(SftCheckpoint.latest(ckpt)).hasValueSatisfying(p -> assertThat(p.getFileName().toString()).isEqualTo("step-00000003"));
        try (CausalLm lm = CausalLm.create(CONFIG, 1234)) { // other initial weights: the checkpoint overwrites them
            SftResult resumed = SftTrainer.builder().setModel(lm).setTokenizer(TOK).optConfig(cfg)
                    .optNegativePool(itemTokens())
                    .optCheckpointDir(ckpt).optMetricsFile(metrics).build().train(data);
            assertThat(resumed.resumed()).isTrue();
            assertThat(resumed.completed()).isTrue();
            assertThat(resumed.steps()).isEqualTo(straightResult.steps());
            assertThat(resumed.trainLoss()).isEqualTo(straightResult.trainLoss());
            Map<String, float[]> got = lm.parameterValues();
            for (String name : straight.keySet()) {
                assertThat(got.get(name)).as(name).containsExactly(straight.get(name));
            }
        }
        List<JsonNode> lines = JsonLines.read(metrics, JsonNode.class);
        List<Long> stepNumbers = lines.stream().filter(l -> l.has("loss")).map(l -> l.get("step").asLong()).toList();
        assertThat(stepNumbers).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        // The final checkpoint holds everything needed to serve the model.
        Path last = SftCheckpoint.latest(ckpt).orElseThrow();
        assertThat(SftCheckpoint.readState(last).epoch()).isEqualTo(2);
        assertThat(TextTokenizers.load(last.resolve(SftCheckpoint.TOKENIZER_FILE)).vocabSize())
                .isEqualTo(TOK.vocabSize());
        try (CausalLm loaded = SftCheckpoint.loadModel(last)) {
            assertThat(loaded.parameterValues().get("tok_emb")).containsExactly(straight.get("tok_emb"));
        }
        assertThat(Files.exists(last.resolve(SftCheckpoint.OPTIMIZER_FILE))).isTrue();
    }

    @Test
    void refusesToResumeWithOtherData(@TempDir Path dir) {
        SftConfig cfg = config().optEpochs(1).build();
        try (CausalLm lm = CausalLm.create(CONFIG, 9)) {
            SftTrainer.builder().setModel(lm).setTokenizer(TOK).optConfig(cfg).optCheckpointDir(dir).build()
                    .train(examples(16, 2));
            assertThatThrownBy(() -> SftTrainer.builder().setModel(lm).setTokenizer(TOK).optConfig(cfg)
                    .optCheckpointDir(dir).build().train(examples(16, 3)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("other training data");
        }
    }

    @Test
    void tokenizesWithAnswerOnlyOrFullLossAndTruncatesPromptsFromTheLeft() {
        String w = TestModels.word(1) + TestModels.word(2);
        List<SftExample> one = List.of(new SftExample(w + TestModels.word(3) + TestModels.word(4),
                "[ITEM_2]" + TestModels.word(5)));
        SftData answer = SftData.tokenize(one, TOK, config().build(), 64);
        int[] seq = answer.sequences[0];
        assertThat(seq).hasSize(7);
        assertThat(seq[6]).isEqualTo(TOK.specialTokens().eos());
        assertThat(answer.lossStart[0]).isEqualTo(4);
        assertThat(answer.targetTokens(new int[] {0})).isEqualTo(3);
        SftData full = SftData.tokenize(one, TOK, config().optLossScope(LossScope.FULL_SEQUENCE)
                .optAnswerEnd(AnswerEnd.NEWLINE).build(), 64);
        assertThat(full.lossStart[0]).isEqualTo(1);
        assertThat(full.sequences[0][6]).isEqualTo(TOK.specialTokens().newline());
        SftData cut = SftData.tokenize(one, TOK, config().optMaxSequenceLength(5).build(), 64);
        assertThat(cut.sequences[0]).startsWith(TOK.encode(TestModels.word(3) + TestModels.word(4))).hasSize(5);
    }

    @Test
    void batchPlansCoverEveryExampleOnceAndDependOnlyOnTheSeed() {
        SftData data = SftData.tokenize(examples(37, 4), TOK, config().optBatchSize(5).build(), 64);
        List<int[]> a = data.plan(new SeededRandom(1));
        List<int[]> b = data.plan(new SeededRandom(1));
        assertThat(a).hasSize(data.batchesPerEpoch()).hasSize(8);
        boolean[] seen = new boolean[37];
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i)).containsExactly(b.get(i));
            for (int ex : a.get(i)) {
                assertThat(seen[ex]).isFalse();
                seen[ex] = true;
            }
        }
        assertThat(seen).doesNotContain(false);
    }
}
