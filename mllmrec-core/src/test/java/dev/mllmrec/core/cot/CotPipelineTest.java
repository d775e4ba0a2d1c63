package dev.mllmrec.core.cot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.CotGenerationException;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.LeakageAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.TrainingStage;
import dev.mllmrec.core.embed.TfIdfEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CotPipelineTest {

    private static List<RecommendationSample> samples() {
        List<RecommendationSample> out = new ArrayList<>();
        int[] ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        for (int u = 0; u < 40; u++) {
            List<Integer> history = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                history.add(ids[(u + k * 5) % ids.length]);
            }
            int target = ids[(u + 3) % ids.length];
            while (history.contains(target)) {
                target = ids[(target) % ids.length];
            }
            List<Integer> cands = new ArrayList<>(List.of(target));
            for (int id : ids) {
                if (cands.size() < 5 && id != target && !history.contains(id)) {
                    cands.add(id);
                }
            }
            out.add(new RecommendationSample("u" + u + "-train-4", "u" + u, history, target, cands));
        }
        return out;
    }

    @Test
    void buildResumesAssessAndAugmentAreReproducible(@TempDir Path dir) throws Exception {
        WorkDir w = WorkDir.of(dir);
        JsonLines.write(w.catalog(), CotFixtures.catalog().items());
        List<RecommendationSample> samples = samples();
        BuiltinCotGenerator builtin = new BuiltinCotGenerator(CotPipeline.catalog(w), CotPipeline.captions(w));

        // A run that fails on some samples, then a torn line as kill -9 leaves it.
        CotGenerator flaky = new CotGenerator() {
            @Override
            public String id() {
                return builtin.id();
            }

            @Override
            public CotTrace generate(CotRequest r) throws CotGenerationException {
                if (r.sampleId().startsWith("u1")) {
                    throw new CotGenerationException("backend down for " + r.sampleId());
                }
                return builtin.generate(r);
            }
        };
        CotPipeline.BuildCotSummary first = CotPipeline.buildCot(w, samples, flaky, 2);
        assertThat(first.failed()).isEqualTo(11);
        assertThat(first.traces()).isEqualTo(29);
        Files.writeString(CotPipeline.cotFile(w), "{\"sampleId\":\"torn", StandardOpenOption.APPEND);
        AtomicInteger calls = new AtomicInteger();
        CotGenerator counting = new CotGenerator() {
            @Override
            public String id() {
                return builtin.id();
            }

            @Override
            public CotTrace generate(CotRequest r) {
                calls.incrementAndGet();
                return builtin.generate(r);
            }
        };
        CotPipeline.BuildCotSummary second = CotPipeline.buildCot(w, samples, counting, 2);
        assertThat(second.resumed()).isEqualTo(29);
        assertThat(second.generated()).isEqualTo(11);
        assertThat(calls.get()).isEqualTo(11);
        assertThat(second.traces()).isEqualTo(40);
        assertThat(second.validFraction()).isEqualTo(1.0);
        assertThat(Files.exists(w.summary("build-cot"))).isTrue();

        // An uninterrupted run writes the same set of lines in sample order, whatever the thread count.
        WorkDir w2 = WorkDir.of(dir.resolve("again"));
        CotPipeline.buildCot(w2, samples, builtin, 1);
        WorkDir w3 = WorkDir.of(dir.resolve("again3"));
        CotPipeline.buildCot(w3, samples, builtin, 3);
        assertThat(Files.readString(CotPipeline.cotFile(w3))).isEqualTo(Files.readString(CotPipeline.cotFile(w2)));
        assertThat(Files.readAllLines(CotPipeline.cotFile(w))).containsExactlyInAnyOrderElementsOf(
                Files.readAllLines(CotPipeline.cotFile(w2)));

        // Plant a leak, then assess.
        RecommendationSample leaky = samples.get(0);
        List<CotTrace> planted = List.of(CotParser.parse("planted", "plant", "Step 1: a.\nStep 2: b.\nStep 3: "
                + CotFixtures.catalog().get(leaky.target()).title() + ".\nStep 4: d."));
        List<RecommendationSample> withPlant = new ArrayList<>(samples);
        withPlant.add(new RecommendationSample("planted", leaky.userId(), leaky.history(), leaky.target(),
                leaky.candidates()));
        assertThat(CotPipeline.appendTraces(w, planted)).isEqualTo(1);
        var catalog = CotPipeline.catalog(w);
        CombinedAssessor assessor = CombinedAssessor.builder().addVeto(new LeakageAssessor(catalog))
                .addScorer(new RetrievalAgreementAssessor(catalog, Map.of(), TfIdfEncoder.fit(catalog.items()
                        .stream().map(Item::title).toList()), RetrievalAgreementAssessor.Query.CRITERIA), 1.0)
                .optKeepFraction(0.5).build();
        CotPipeline.AssessSummary as = CotPipeline.assess(w, withPlant, assessor, Map.of("encoder", "tfidf"));
        assertThat(as.assessed()).isEqualTo(41);
        assertThat(as.byReason()).containsEntry(LeakageAssessor.LEAK_TITLE, 1);
        assertThat(as.kept()).isEqualTo(20);
        assertThat(as.meanTargetRankKept()).isLessThanOrEqualTo(as.meanTargetRankRejected());

        MixedGrainedAugmenter aug = new MixedGrainedAugmenter(0.1, 0.05, 42, MixedGrainedAugmenter.Strategy.QUOTA);
        CotPipeline.AugmentSummary s1 = CotPipeline.augment(w, TrainingStage.SFT, withPlant, aug, null);
        byte[] firstBytes = Files.readAllBytes(CotPipeline.trainFile(w, TrainingStage.SFT));
        CotPipeline.augment(w, TrainingStage.SFT, withPlant, aug, null);
        assertThat(Files.readAllBytes(CotPipeline.trainFile(w, TrainingStage.SFT))).isEqualTo(firstBytes);
        assertThat(s1.mix().full()).isEqualTo(4);
        assertThat(s1.mix().criteria()).isEqualTo(2);
        assertThat(new String(firstBytes)).startsWith("{\"sampleId\":\"u0-train-4\",\"userId\":\"u0\",\"history\":")
                .contains("\"granularity\":\"plain\",\"reasoning\":\"\"}").doesNotContain("\"prompt\"");

        CotPipeline.augment(w, TrainingStage.GRPO, withPlant, aug, (s, r) -> "PROMPT " + s.sampleId()
                + (r.isEmpty() ? "" : " <think>" + r + "</think>"));
        assertThat(Files.readString(CotPipeline.trainFile(w, TrainingStage.GRPO))).contains("\"prompt\":\"PROMPT u");
    }
}
