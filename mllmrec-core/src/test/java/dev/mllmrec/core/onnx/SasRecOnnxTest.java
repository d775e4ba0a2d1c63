package dev.mllmrec.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import dev.mllmrec.core.sasrec.SasRecTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained SASRec exported to ONNX scores like the DJL model on many users and candidates. */
class SasRecOnnxTest {

    private static final int ITEMS = 24;
    private static SasRecModel model;

    @BeforeAll
    static void train() {
        Random rnd = new Random(3);
        List<UserHistory> users = new ArrayList<>();
        for (int u = 0; u < 50; u++) {
            int start = rnd.nextInt(ITEMS);
            List<Integer> seq = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                seq.add(1 + (start + i) % ITEMS);
            }
            users.add(new UserHistory("u" + u, seq));
        }
        SasRecConfig config = SasRecConfig.builder().optMaxLength(8).optHiddenSize(16).optBlocks(2).optHeads(2)
                .optDropout(0.1f).optLearningRate(5e-3f).optBatchSize(32).optEpochs(2).optWindowStride(3)
                .optSeed(11).build();
        model = SasRecTrainer.builder().optConfig(config).optProgress(false).build()
                .train(users, IntStream.rangeClosed(1, ITEMS + 4).boxed().toList()).model();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Random requests: empty, short and over-long histories, unknown and duplicate ids. */
    static List<RankingRequest> requests(int n, long seed) {
        Random rnd = new Random(seed);
        List<RankingRequest> out = new ArrayList<>();
        for (int u = 0; u < n; u++) {
            List<Integer> history = new ArrayList<>();
            int len = rnd.nextInt(14);
            for (int i = 0; i < len; i++) {
                history.add(1 + rnd.nextInt(ITEMS + 8)); // some ids beyond the vocabulary
            }
            List<Integer> candidates = new ArrayList<>();
            int width = 1 + rnd.nextInt(12);
            for (int i = 0; i < width; i++) {
                candidates.add(1 + rnd.nextInt(ITEMS + 8));
            }
            out.add(new RankingRequest("u" + u, history, candidates));
        }
        return out;
    }

    static double maxDifference(List<Ranking> expected, List<Ranking> actual) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < expected.size(); i++) {
            List<ScoredItem> e = expected.get(i).items();
            List<ScoredItem> a = actual.get(i).items();
            assertThat(actual.get(i).userId()).isEqualTo(expected.get(i).userId());
            assertThat(actual.get(i).ids()).as("ranking of request %d", i).isEqualTo(expected.get(i).ids());
            for (int j = 0; j < e.size(); j++) {
                max = Math.max(max, Math.abs(e.get(j).score() - a.get(j).score()));
            }
        }
        return max;
    }

    @Test
    void onnxScoresEqualDjlScoresOnManyUsersAndCandidates(@TempDir Path dir) {
        SasRecOnnxExporter.export(model, "sasrec", null, dir);
        List<RankingRequest> requests = requests(300, 5);
        List<Ranking> djl = new SasRecRecommender(model).rankAll(requests);
        for (OnnxSessionConfig config : List.of(OnnxSessionConfig.defaults(),
                OnnxSessionConfig.builder().optOptimization(OnnxSessionConfig.Optimization.NONE).optBatchSize(7)
                        .optMemoryArena(false).optIntraOpThreads(2).build())) {
            try (OnnxRecommender onnx = OnnxRecommender.loadSasRec(dir, config)) {
                assertThat(onnx.name()).isEqualTo("sasrec-onnx");
                double diff = maxDifference(djl, onnx.rankAll(requests));
                System.out.printf("SASRec ONNX vs DJL (%s): max |score difference| %.3g%n", config.optimization(),
                        diff);
                assertThat(diff).isLessThan(1e-4);
                assertThat(onnx.rank(requests.get(3)).ids()).isEqualTo(djl.get(3).ids());
            }
        }
    }

    @Test
    void aContentAwareModelExportsItsItemTableWithTheFeaturesMappedIn(@TempDir Path dir) {
        // Side features only some items have, and a cold item (ITEMS + 1) that has them without any interaction.
        Map<Integer, float[]> features = new java.util.HashMap<>();
        for (int i = 1; i <= ITEMS + 1; i += 2) {
            features.put(i, new float[] {i % 3, i % 5 == 0 ? 1f : 0f, 0.5f});
        }
        SasRecConfig config = model.config().toBuilder().optEpochs(1).build();
        List<UserHistory> users = List.of(new UserHistory("a", List.of(1, 2, 3, 4, 5, 6)),
                new UserHistory("b", List.of(7, 8, 9, 10, 11, 12)));
        try (SasRecModel content = SasRecTrainer.builder().optConfig(config).optProgress(false).build()
                .train(users, IntStream.rangeClosed(1, ITEMS + 4).boxed().toList(), features).model()) {
            assertThat(content.featureWidth()).isEqualTo(3);
            SasRecOnnxExporter.export(content, "sasrec", null, dir);
            List<RankingRequest> requests = requests(200, 8);
            List<Ranking> djl = new SasRecRecommender(content).rankAll(requests);
            try (OnnxRecommender onnx = OnnxRecommender.loadSasRec(dir, OnnxSessionConfig.defaults())) {
                assertThat(maxDifference(djl, onnx.rankAll(requests))).isLessThan(1e-4);
            }
        }
    }

    @Test
    void rankingIsThreadSafe(@TempDir Path dir) throws Exception {
        SasRecOnnxExporter.export(model, "sasrec", null, dir);
        List<RankingRequest> requests = requests(64, 9);
        try (OnnxRecommender onnx = OnnxRecommender.loadSasRec(dir, OnnxSessionConfig.defaults())) {
            // One by one: a batch pads to its longest history, which changes the last bits of the sums.
            List<Ranking> expected = requests.stream().map(onnx::rank).toList();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                int offset = t;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = offset; i < requests.size(); i += 4) {
                            assertThat(onnx.rank(requests.get(i))).isEqualTo(expected.get(i));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void exportIsDeterministicAndDescribesItsInputs(@TempDir Path dir) throws Exception {
        OnnxManifest m = SasRecOnnxExporter.export(model, "sasrec", Path.of("ckpt"), dir);
        assertThat(SasRecOnnxExporter.toOnnx(model)).isEqualTo(Files.readAllBytes(dir.resolve("model.onnx")));
        OnnxManifest read = OnnxManifest.read(dir);
        assertThat(read.kind()).isEqualTo("sasrec");
        assertThat(read.items()).containsExactly(IntStream.rangeClosed(1, ITEMS + 4).toArray());
        assertThat(read.maxLength()).isEqualTo(8);
        assertThat(read.opset()).isEqualTo(17);
        assertThat(read.inputs()).extracting(OnnxManifest.Tensor::name)
                .containsExactly("item_indices", "candidate_indices");
        assertThat(m.source()).isEqualTo("ckpt");
    }

    @Test
    void badExportsAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> OnnxRecommender.loadSasRec(dir, OnnxSessionConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.json is missing");
        SasRecOnnxExporter.export(model, "sasrec", null, dir);
        Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> OnnxRecommender.loadSasRec(dir, OnnxSessionConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.onnx");
        assertThatThrownBy(() -> OnnxSessionConfig.builder().optBatchSize(0).build())
                .hasMessageContaining("batch size");
    }
}
