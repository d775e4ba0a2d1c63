package dev.mllmrec.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.data.Dataset;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.sft.SftListener;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import dev.mllmrec.core.onnx.PolicyOnnxExporter;
import dev.mllmrec.core.rec.PolicyBundle;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.grpo.train.GrpoListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe entry point on tiny in-memory data: trains SFT and GRPO, then serves the best checkpoint. */
class MllmRecTest {

    @TempDir
    Path tmp;

    /** 30 items in 3 genres; 24 users who each walk through one genre in order, 12 items each. */
    static Catalog catalog() {
        List<Item> items = new ArrayList<>();
        String[] genres = {"Comedy", "Drama", "Horror"};
        for (int id = 1; id <= 30; id++) {
            items.add(new Item(id, "Movie " + id + " (199" + id % 10 + ")", List.of(genres[id % 3]), Map.of(),
                    null));
        }
        return Catalog.of("tiny", items);
    }

    static List<UserHistory> histories() {
        List<UserHistory> out = new ArrayList<>();
        for (int u = 0; u < 24; u++) {
            List<Integer> items = new ArrayList<>();
            for (int k = 0; k < 12; k++) {
                items.add(1 + (u % 3 + 3 * ((u + k) % 10)));
            }
            out.add(new UserHistory("u" + u, items));
        }
        return out;
    }

    static Recipe tiny() {
        return Recipe.tiny();
    }

    @Test
    void trainsFromMemoryAndServesTheBestCheckpoint() throws Exception {
        AtomicInteger sftSteps = new AtomicInteger();
        AtomicInteger grpoSteps = new AtomicInteger();
        Path work = tmp.resolve("w");
        MllmRec.Result result = MllmRec.builder()
                .setCatalog(catalog())
                .setHistories(histories())
                .setWorkDir(work)
                .optRecipe(tiny())
                .addSftListener(new SftListener() {
                    @Override
                    public void onStep(Step step) {
                        sftSteps.incrementAndGet();
                    }
                })
                .addGrpoListener(new GrpoListener() {
                    @Override
                    public void onStep(Step step) {
                        grpoSteps.incrementAndGet();
                    }
                })
                .build()
                .train();
        assertThat(sftSteps.get()).isEqualTo(((Number) result.sft().get("steps")).intValue()
                + ((Number) ((Map<?, ?>) result.sft().get("sequence_pretraining")).get("steps")).intValue());
        Map<?, ?> pretraining = (Map<?, ?>) result.sft().get("sequence_pretraining");
        // The best epoch is counted from 1, like the epoch count beside it.
        assertThat(((Number) pretraining.get("best_epoch")).intValue()).isBetween(1,
                ((Number) pretraining.get("epochs")).intValue());
        assertThat(grpoSteps.get()).isEqualTo(1);
        assertThat(((Number) result.grpo().get("steps")).intValue()).isEqualTo(1);
        assertThat(work.resolve("train_sft.jsonl")).isRegularFile();
        assertThat(work.resolve("cot_assessed.jsonl")).isRegularFile();

        try (PolicyRanker ranker = result.ranker()) {
            PolicyRanker.Provenance p = ranker.provenance();
            assertThat(p.model()).isEqualTo("grpo");
            assertThat(p.checkpoint()).isEqualTo(CheckpointStore.find(p.checkpoint().getParent(),
                    CheckpointStore.BEST).orElseThrow());
            assertThat(p.dataFingerprint()).isEqualTo(Dataset.of(catalog(), histories(), 10).fingerprint());
            assertThat(p.seed()).isEqualTo(42L);
            assertThat(p.state()).containsKey("config");
            assertThat(p.versions()).containsKeys("mllmrec", "djl", "java");

            List<Integer> history = List.of(1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 2, 5);
            List<Integer> candidates = List.of(3, 6, 9, 12, 15, 18, 21, 24, 27, 30);
            Ranking r = ranker.rank(new RankingRequest("u1", history, candidates));
            assertThat(r.ids()).containsExactlyInAnyOrderElementsOf(candidates);
            assertThat(ranker.rerank("u1", history, candidates)).isEqualTo(r.ids());
            // Thread-safe: concurrent ranking gives the same answer as a single thread.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Ranking>> fs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    fs.add(pool.submit(() -> ranker.rank(new RankingRequest("u1", history, candidates))));
                }
                for (Future<Ranking> f : fs) {
                    assertThat(f.get().ids()).isEqualTo(r.ids());
                }
            } finally {
                pool.shutdown();
            }
            assertThat(ranker.rankAll(List.of(new RankingRequest("u1", history, candidates),
                    new RankingRequest("u2", history.subList(0, 3), candidates.subList(0, 4))))).hasSize(2)
                    .first().extracting(Ranking::ids).isEqualTo(r.ids());
            assertThatThrownBy(() -> ranker.rank(new RankingRequest("u1", history, List.of(3, 999))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
            ranker.close();
            assertThatThrownBy(() -> ranker.rank(new RankingRequest("u1", history, candidates)))
                    .isInstanceOf(IllegalStateException.class);
        }
        try (PolicyRanker sft = PolicyRanker.load(work, "sft", PolicyRanker.Pick.LATEST)) {
            assertThat(sft.provenance().model()).isEqualTo("sft");
        }
        servesTheOnnxExportAsDjlServesTheCheckpoint(work);
    }

    /** The same best checkpoint, exported to ONNX and served without libtorch, ranks as the DJL ranker does. */
    private void servesTheOnnxExportAsDjlServesTheCheckpoint(Path work) {
        Path best = PolicyRanker.checkpoint(work, "grpo", PolicyRanker.Pick.BEST);
        Path export = tmp.resolve("onnx");
        try (PolicyBundle bundle = PolicyBundle.load(best)) {
            PolicyOnnxExporter.export(bundle.model(), best.resolve(SftCheckpoint.TOKENIZER_FILE), bundle.style(),
                    bundle.tokenizer().specialTokens().pad(), "grpo", best, export);
        }
        List<RankingRequest> requests = new ArrayList<>();
        for (UserHistory h : histories()) {
            requests.add(new RankingRequest(h.userId(), h.items().subList(0, 10), List.of(3, 6, 9, 12, 15, 18, 21,
                    24, 27, 30, h.items().get(10))));
        }
        try (PolicyRanker djl = PolicyRanker.load(work);
             PolicyRanker onnx = PolicyRanker.loadOnnx(work, export, OnnxSessionConfig.defaults())) {
            assertThat(onnx.provenance().model()).isEqualTo("grpo");
            assertThat(onnx.provenance().versions()).containsEntry("engine", "onnxruntime");
            assertThat(onnx.provenance().state()).containsEntry("source", best.toString());
            assertThat(onnx.historyLength()).isEqualTo(djl.historyLength());
            List<Ranking> a = djl.rankAll(requests);
            List<Ranking> b = onnx.rankAll(requests);
            for (int i = 0; i < a.size(); i++) {
                Map<Integer, Double> scores = new java.util.HashMap<>();
                b.get(i).items().forEach(s -> scores.put(s.itemId(), s.score()));
                for (var s : a.get(i).items()) {
                    assertThat(scores.get(s.itemId())).isCloseTo(s.score(), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void badDataIsNamed() {
        List<UserHistory> bad = List.of(new UserHistory("u9", List.of(1, 2, 99)));
        assertThatThrownBy(() -> MllmRec.builder().setCatalog(catalog()).setHistories(bad)
                .setWorkDir(tmp.resolve("b")).optRecipe(tiny()).build().train())
                .isInstanceOf(InvalidDataException.class).hasMessageContaining("u9").hasMessageContaining("99");
        assertThatThrownBy(() -> MllmRec.builder().setCatalog(catalog()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("setHistories");
    }
}
