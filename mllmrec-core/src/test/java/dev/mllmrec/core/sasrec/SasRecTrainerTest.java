package dev.mllmrec.core.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.JsonLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SasRecTrainerTest {

    private static final int ITEMS = 20;

    private static SasRecTrainer trainer(SasRecConfig config) {
        return SasRecTrainer.builder().optConfig(config).optProgress(false).build();
    }

    @Test
    void learnsADeterministicSuccessorPattern(@TempDir Path dir) {
        List<UserHistory> full = SasRecFixtures.ring(60, ITEMS, 14, 1);
        List<Integer> catalog = IntStream.rangeClosed(1, ITEMS).boxed().toList();
        List<RecommendationSample> test = HoldOut.samples(full, HoldOut.TEST, 9, 9, catalog, 5);
        List<RecommendationSample> validation = HoldOut.samples(full, HoldOut.VALIDATION, 9, 9, catalog, 5);
        List<Double> validationHr1 = new ArrayList<>();
        SasRecTrainer trainer = SasRecTrainer.builder().optConfig(SasRecFixtures.tiny()).optProgress(false)
                .optMetricsFile(dir.resolve("metrics.jsonl"))
                .optValidator((model, epoch) -> {
                    Map<String, Double> m = HoldOut.metrics(validation,
                            new SasRecRecommender(model).rankAll(requests(validation)));
                    validationHr1.add(m.get("HR@1"));
                    return m;
                })
                .build();
        SasRecTrainingResult result = trainer.train(HoldOut.prefixes(full, 2), catalog);
        try (SasRecModel model = result.model()) {
            List<Ranking> rankings = new SasRecRecommender(model).rankAll(requests(test));
            Map<String, Double> metrics = HoldOut.metrics(test, rankings);
            assertThat(metrics.get("HR@1")).as("test HR@1 %s", metrics).isGreaterThanOrEqualTo(0.9);
            assertThat(result.epochs()).hasSize(SasRecFixtures.tiny().epochs());
            assertThat(result.epochs().get(result.epochs().size() - 1).loss())
                    .isLessThan(result.epochs().get(0).loss());
            assertThat(validationHr1).hasSize(SasRecFixtures.tiny().epochs());
            assertThat(JsonLines.read(dir.resolve("metrics.jsonl"), SasRecEpoch.class))
                    .hasSize(result.epochs().size())
                    .allSatisfy(e -> assertThat(e.validation()).containsKeys("HR@1", "HR@3", "NDCG@3"));
            assertThat(model.provenance()).containsEntry("steps", result.steps());
        }
    }

    @Test
    void thePapersBinaryLossAlsoLearnsTheRing() {
        List<UserHistory> full = SasRecFixtures.ring(60, ITEMS, 14, 1);
        List<Integer> catalog = IntStream.rangeClosed(1, ITEMS).boxed().toList();
        List<RecommendationSample> test = HoldOut.samples(full, HoldOut.TEST, 9, 9, catalog, 5);
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optLoss(SasRecLoss.BINARY_CROSS_ENTROPY)
                .optDropout(0f).build();
        List<Double> stepLosses = new ArrayList<>();
        SasRecTrainer trainer = SasRecTrainer.builder().optConfig(config).optProgress(false)
                .addListener(new SasRecListener() {
                    @Override
                    public void onStep(Step step) {
                        stepLosses.add(step.loss());
                    }
                })
                .build();
        try (SasRecModel model = trainer.train(HoldOut.prefixes(full, 2), catalog).model()) {
            assertThat(stepLosses.get(stepLosses.size() - 1)).isLessThan(stepLosses.get(0) / 4);
            Map<String, Double> metrics = HoldOut.metrics(test, new SasRecRecommender(model).rankAll(requests(test)));
            assertThat(metrics.get("HR@1")).as("test HR@1 %s", metrics).isGreaterThanOrEqualTo(0.9);
        }
    }

    @Test
    void theFullSoftmaxLossEqualsCrossEntropyComputedInJava() {
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optLoss(SasRecLoss.SOFTMAX_CROSS_ENTROPY)
                .optDropout(0f).optMaxLength(4).build();
        int len = config.maxLength();
        long[] input = {0, 3, 7, 9, 1, 2, 3, 4};
        long[] positive = {0, 7, 9, 12, 2, 3, 4, 20};
        try (SasRecModel model = SasRecModel.create(config, IntStream.rangeClosed(1, ITEMS).boxed().toList());
             ai.djl.ndarray.NDManager scope = model.manager().newSubManager()) {
            double loss = trainer(config).softmaxLoss(model, scope, input, positive, 2).getFloat();
            float[] h = model.hidden(scope, scope.create(input, new ai.djl.ndarray.types.Shape(2, len)), false)
                    .toFloatArray();
            float[] e = model.parameters().get("item_embedding").toFloatArray();
            int width = config.hiddenSize();
            double[][] table = new double[ITEMS + 1][width];
            for (int item = 1; item <= ITEMS; item++) {
                for (int k = 0; k < width; k++) {
                    table[item][k] = e[item * width + k];
                }
            }
            assertThat(loss).isCloseTo(crossEntropy(h, table, positive, width),
                    org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /**
     * The mean cross-entropy, computed in Java, of each position's target ({@code positive}, 0 = none) against every
     * item, scored by the dot product of the position's hidden state with the item's row of {@code table}.
     */
    private static double crossEntropy(float[] h, double[][] table, long[] positive, int width) {
        double sum = 0;
        int n = 0;
        for (int pos = 0; pos < positive.length; pos++) {
            if (positive[pos] == 0) {
                continue;
            }
            double[] logits = new double[ITEMS];
            double max = Double.NEGATIVE_INFINITY;
            for (int item = 1; item <= ITEMS; item++) {
                double dot = 0;
                for (int k = 0; k < width; k++) {
                    dot += h[pos * width + k] * table[item][k];
                }
                logits[item - 1] = dot;
                max = Math.max(max, dot);
            }
            double z = 0;
            for (double l : logits) {
                z += Math.exp(l - max);
            }
            sum += max + Math.log(z) - logits[(int) positive[pos] - 1];
            n++;
        }
        return sum / n;
    }

    @Test
    void theContentAwareSoftmaxLossScoresEveryItemByItsIdEmbeddingPlusItsMappedFeatures() {
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optLoss(SasRecLoss.SOFTMAX_CROSS_ENTROPY)
                .optDropout(0f).optMaxLength(4).build();
        int len = config.maxLength();
        int f = 3;
        Map<Integer, float[]> features = new java.util.HashMap<>();
        for (int i = 1; i <= ITEMS; i++) {
            if (i % 4 != 0) { // every fourth item has none (a zero row)
                features.put(i, new float[] {i / 10f, (i % 3) - 1f, 1f});
            }
        }
        long[] input = {0, 3, 7, 9, 1, 2, 3, 4};
        long[] positive = {0, 7, 9, 12, 2, 3, 4, 20};
        try (SasRecModel model = SasRecModel.create(config, IntStream.rangeClosed(1, ITEMS).boxed().toList(),
                features); ai.djl.ndarray.NDManager scope = model.manager().newSubManager()) {
            double loss = trainer(config).softmaxLoss(model, scope, input, positive, 2).getFloat();
            int width = config.hiddenSize();
            float[] e = model.parameters().get("item_embedding").toFloatArray();
            float[] w = model.parameters().get("feature_projection.weight").toFloatArray(); // (H, f)
            double[][] table = new double[ITEMS + 1][width];
            for (int item = 1; item <= ITEMS; item++) {
                float[] x = features.getOrDefault(item, new float[f]);
                for (int k = 0; k < width; k++) {
                    double v = e[item * width + k];
                    for (int j = 0; j < f; j++) {
                        v += w[k * f + j] * x[j];
                    }
                    table[item][k] = v;
                }
            }
            // The input side uses the same table: the hidden states equal a pass over these embeddings.
            float[] h = model.hidden(scope, scope.create(input, new ai.djl.ndarray.types.Shape(2, len)), false)
                    .toFloatArray();
            assertThat(loss).isCloseTo(crossEntropy(h, table, positive, width),
                    org.assertj.core.data.Offset.offset(1e-4));
            float[] exported = model.itemTableValues();
            for (int item = 1; item <= ITEMS; item++) {
                for (int k = 0; k < width; k++) {
                    assertThat((double) exported[item * width + k]).isCloseTo(table[item][k],
                            org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
    }

    @Test
    void aContentAwareModelRanksAnItemWithoutInteractionsByItsFeatures() {
        // Each ring item's features name it (a one-hot); cold items 21 and 22 never occur in training but carry the
        // features of items 5 and 15. After ..., 3, 4 the ring continues with 5, so 21 (5's features) must come
        // first: its representation comes from what the features of 5 learnt. An id-only model cannot tell them
        // apart from training (both are only ever negatives).
        List<UserHistory> full = SasRecFixtures.ring(60, ITEMS, 14, 1);
        List<Integer> catalog = IntStream.rangeClosed(1, ITEMS + 2).boxed().toList();
        Map<Integer, float[]> features = new java.util.HashMap<>();
        for (int i = 1; i <= ITEMS; i++) {
            float[] x = new float[ITEMS];
            x[i - 1] = 1f;
            features.put(i, x);
        }
        features.put(ITEMS + 1, features.get(5).clone());
        features.put(ITEMS + 2, features.get(15).clone());
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optLoss(SasRecLoss.SOFTMAX_CROSS_ENTROPY).build();
        try (SasRecModel model = trainer(config).train(HoldOut.prefixes(full, 2), catalog, features).model()) {
            double[] s = model.scoreLast(List.of(List.of(1, 2, 3, 4)), List.of(List.of(ITEMS + 2, ITEMS + 1, 10,
                    15)))[0];
            assertThat(s[1]).as("scores %s", java.util.Arrays.toString(s)).isGreaterThan(s[0]).isGreaterThan(s[2])
                    .isGreaterThan(s[3]);
        }
    }

    @Test
    void contentAwareModelsRejectFeaturesOfUnequalWidthOrNotFinite() {
        List<Integer> catalog = IntStream.rangeClosed(1, 3).boxed().toList();
        assertThatThrownBy(() -> SasRecModel.create(SasRecFixtures.tiny(), catalog,
                Map.of(1, new float[] {1f, 0f}, 2, new float[] {1f})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("item 2 has 1 values, item 1 has 2");
        assertThatThrownBy(() -> SasRecModel.create(SasRecFixtures.tiny(), catalog,
                Map.of(3, new float[] {Float.NaN})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("item 3")
                .hasMessageContaining("NaN");
    }

    @Test
    void anItemOnlyInTheCatalogScoresTheSameWhetherOrNotItIsATarget() {
        // Item 21 is in the catalog and in no training prefix. Whether it is some user's held-out target must not
        // change the model: the vocabulary and the negatives' pool are the catalog, never the full sequences.
        List<UserHistory> full = SasRecFixtures.ring(30, ITEMS, 14, 1);
        List<UserHistory> withColdTarget = new ArrayList<>(full);
        List<Integer> last = new ArrayList<>(full.get(0).items());
        last.set(last.size() - 1, ITEMS + 1);
        withColdTarget.set(0, new UserHistory(full.get(0).userId(), last));
        List<Integer> catalog = IntStream.rangeClosed(1, ITEMS + 1).boxed().toList();
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optEpochs(2).build();
        List<List<Integer>> histories = List.of(full.get(1).items().subList(0, 9));
        List<List<Integer>> candidates = List.of(List.of(1, 5, ITEMS + 1));
        try (SasRecModel a = trainer(config).train(HoldOut.prefixes(full, 2), catalog).model();
             SasRecModel b = trainer(config).train(HoldOut.prefixes(withColdTarget, 2), catalog).model()) {
            assertThat(b.scoreLast(histories, candidates)).isDeepEqualTo(a.scoreLast(histories, candidates));
            assertThat(a.indexOf(ITEMS + 1)).isPositive();
        }
    }

    @Test
    void listenersSeeStartStepsEpochsAndEndAndCanStop() {
        List<UserHistory> seqs = SasRecFixtures.ring(16, ITEMS, 12, 2);
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optEpochs(3).optBatchSize(8)
                .optCosineDecay(true).build();
        List<String> events = new ArrayList<>();
        List<SasRecListener.Step> steps = new ArrayList<>();
        SasRecTrainer trainer = SasRecTrainer.builder().optConfig(config).optProgress(false)
                .addListener(new SasRecListener() {
                    @Override
                    public void onTrainingStart(Start start) {
                        events.add("start " + start.totalSteps());
                    }

                    @Override
                    public void onStep(Step step) {
                        steps.add(step);
                    }

                    @Override
                    public void onEpochEnd(SasRecEpoch epoch) {
                        events.add("epoch " + epoch.epoch() + " " + epoch.step());
                    }

                    @Override
                    public boolean shouldStop() {
                        return events.size() == 3; // after the second epoch
                    }

                    @Override
                    public void onTrainingEnd(SasRecTrainingResult result) {
                        events.add("end " + result.steps());
                    }
                })
                .build();
        try (SasRecModel model = trainer.train(seqs).model()) {
            int perEpoch = steps.size() / 2;
            assertThat(events).containsExactly("start " + 3 * perEpoch, "epoch 1 " + perEpoch,
                    "epoch 2 " + 2 * perEpoch, "end " + 2 * perEpoch);
            assertThat(steps.get(0).step()).isEqualTo(1);
            assertThat(steps.get(0).epoch()).isEqualTo(1);
            assertThat(steps.get(steps.size() - 1).epoch()).isEqualTo(2);
            assertThat(steps.get(0).learningRate()).isEqualTo((double) config.learningRate());
            assertThat(steps.get(1).learningRate()).isLessThan(steps.get(0).learningRate()); // cosine decay
        }
    }

    @Test
    void memoryStaysFlat() {
        List<UserHistory> seqs = SasRecFixtures.ring(16, ITEMS, 12, 2);
        List<Integer> counts = new ArrayList<>();
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optEpochs(4).optBatchSize(8).build();
        SasRecTrainer trainer = SasRecTrainer.builder().optConfig(config).optProgress(false)
                .optValidator((model, epoch) -> {
                    counts.add(model.manager().getManagedArrays().size());
                    return Map.of();
                })
                .build();
        try (SasRecModel model = trainer.train(seqs).model()) {
            // The same arrays after every epoch: nothing a step allocates survives it.
            assertThat(counts).hasSize(4).containsOnly(counts.get(0));
            assertThat(model.manager().getManagedArrays()).hasSize(model.parameters().size());
        }
    }

    @Test
    void sameSeedGivesIdenticalScoresAfterTraining() {
        List<UserHistory> seqs = SasRecFixtures.ring(30, ITEMS, 12, 3);
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optEpochs(2).build();
        List<List<Integer>> h = List.of(List.of(1, 2, 3), List.of(10, 11, 12, 13));
        List<List<Integer>> c = List.of(List.of(4, 5, 6, 7), List.of(14, 1, 20));
        try (SasRecModel a = trainer(config).train(seqs).model();
             SasRecModel b = trainer(config).train(seqs).model();
             SasRecModel untrained = SasRecModel.create(config, Arrays.stream(a.itemIds()).boxed().toList())) {
            assertThat(a.scoreLast(h, c)).isDeepEqualTo(b.scoreLast(h, c));
            assertThat(a.scoreLast(h, c)).isNotEqualTo(untrained.scoreLast(h, c));
        }
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        List<UserHistory> seqs = SasRecFixtures.ring(20, ITEMS, 12, 4);
        double[] fake = {0.1, 0.5, 0.3, 0.2, 0.9};
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optEpochs(5).build();
        List<double[][]> scoresPerEpoch = new ArrayList<>();
        List<List<Integer>> h = List.of(List.of(1, 2, 3));
        List<List<Integer>> c = List.of(List.of(4, 5, 6));
        SasRecTrainer trainer = SasRecTrainer.builder().optConfig(config).optProgress(false)
                .optValidator((model, epoch) -> {
                    scoresPerEpoch.add(model.scoreLast(h, c));
                    return Map.of("HR@1", fake[epoch - 1]);
                })
                .optEarlyStopping("HR@1", 2)
                .build();
        SasRecTrainingResult result = trainer.train(seqs);
        try (SasRecModel model = result.model()) {
            assertThat(result.epochs()).hasSize(4); // epochs 3 and 4 did not beat epoch 2
            assertThat(model.provenance()).containsEntry("best_epoch", 2);
            assertThat(model.scoreLast(h, c)).isDeepEqualTo(scoresPerEpoch.get(1));
        }
    }

    @Test
    void windowsPerUserKeepsOnlyTheMostRecentWindows() {
        // Sequences of 12 items, stride 3: windows end at positions 11, 8, 5, 2 (4 per user); a cap of 2 keeps 11, 8.
        List<UserHistory> seqs = SasRecFixtures.ring(5, ITEMS, 12, 6);
        SasRecConfig all = SasRecFixtures.tiny().toBuilder().optEpochs(1).build();
        try (SasRecModel a = trainer(all).train(seqs).model();
             SasRecModel b = trainer(all.toBuilder().optWindowsPerUser(2).build()).train(seqs).model()) {
            assertThat(a.provenance()).containsEntry("windows", 20);
            assertThat(b.provenance()).containsEntry("windows", 10);
        }
        assertThatThrownBy(() -> SasRecConfig.builder().optWindowsPerUser(-1).build())
                .hasMessageContaining("windowsPerUser");
    }

    @Test
    void cosineDecayFallsFromTheLearningRateToZero() {
        SasRecConfig config = SasRecFixtures.tiny().toBuilder().optLearningRate(2e-3f).optCosineDecay(true).build();
        SasRecTrainer t = trainer(config);
        assertThat(t.learningRate(0, 100)).isEqualTo(2e-3f);
        assertThat(t.learningRate(50, 100)).isCloseTo(1e-3f, org.assertj.core.data.Offset.offset(1e-9f));
        assertThat(t.learningRate(99, 100)).isLessThan(1e-6f).isPositive();
        // It trains (the ring is learnt as with a constant rate) and records the schedule in the config.
        try (SasRecModel model = t.train(SasRecFixtures.ring(60, ITEMS, 14, 1)).model()) {
            assertThat(model.config().cosineDecay()).isTrue();
            List<Integer> candidates = List.of(5, 9, 13, 17);
            assertThat(new SasRecRecommender(model).rank(new dev.mllmrec.api.RankingRequest("u", List.of(2, 3, 4),
                    candidates)).items().get(0).itemId()).isEqualTo(5);
        }
    }

    @Test
    void rejectsItemsOutsideTheUniverse() {
        List<UserHistory> seqs = List.of(new UserHistory("u", List.of(1, 2, 3)));
        assertThatThrownBy(() -> trainer(SasRecFixtures.tiny()).train(seqs, List.of(1, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Item 3 of user u");
        assertThatThrownBy(() -> trainer(SasRecFixtures.tiny()).train(List.of(new UserHistory("u", List.of(1)))))
                .hasMessageContaining("two items");
    }

    static List<dev.mllmrec.api.RankingRequest> requests(List<RecommendationSample> samples) {
        return samples.stream().map(RecommendationSample::request).toList();
    }
}
