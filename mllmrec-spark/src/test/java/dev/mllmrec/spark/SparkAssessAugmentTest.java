package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.BuiltinCotGenerator;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.LeakageAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.cot.augment.Granularity;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.TrainingLine;
import dev.mllmrec.core.cot.augment.TrainingStage;
import dev.mllmrec.core.cot.io.AssessedCot;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.spark.cli.SparkMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark's assess (MiniLM, as the single-machine command runs by default here) and augment equal the single-machine
 * stages on MovieLens training windows, in 3 partitions and in 1: every assessment, the keep-fraction's cut, and
 * every training line of both strategies.
 */
class SparkAssessAugmentTest {

    private static final int WINDOWS = 40;

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("SparkAssessAugmentTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorModels.closeAll();
    }

    @Test
    void assessAndAugmentEqualTheSingleMachineCommands() throws Exception {
        assertThat(MiniLmEncoder.available()).isTrue();
        List<RecommendationSample> windows = SparkTesting.singleMachine(Split.TRAIN, 9).subList(0, WINDOWS);
        Catalog catalog = SparkTesting.prepared().catalog();
        String catalogFile = SparkTesting.prepared().workDir().catalog().toString();
        WorkDir all = WorkDir.of(tmp.resolve("all"));
        WorkDir half = WorkDir.of(tmp.resolve("half"));
        CotPipeline.buildCot(all, windows, new BuiltinCotGenerator(catalog, Map.of()), 1);
        Files.createDirectories(half.root());
        Files.copy(CotPipeline.cotFile(all), CotPipeline.cotFile(half));
        Path samples = tmp.resolve("train.jsonl");
        JsonLines.write(samples, windows);

        // The single-machine assess with its defaults (leakage, retrieval with MiniLM on the Step-3 criteria), and
        // with --keep-fraction 0.5.
        try (MiniLmEncoder encoder = MiniLmEncoder.load(2, 32)) {
            RetrievalAgreementAssessor retrieval = new RetrievalAgreementAssessor(catalog, Map.of(), encoder,
                    RetrievalAgreementAssessor.Query.CRITERIA);
            CotPipeline.assess(all, windows, CombinedAssessor.builder().addVeto(new LeakageAssessor(catalog))
                    .addScorer(retrieval, 1.0).build(), Map.of());
            CotPipeline.assess(half, windows, CombinedAssessor.builder().addVeto(new LeakageAssessor(catalog))
                    .addScorer(retrieval, 1.0).optKeepFraction(0.5).build(), Map.of());
        }
        List<AssessedCot> single = sortedAssessed(JsonLines.read(CotPipeline.assessedFile(all), AssessedCot.class));
        List<AssessedCot> singleHalf = sortedAssessed(JsonLines.read(CotPipeline.assessedFile(half),
                AssessedCot.class));
        assertThat(single).hasSize(WINDOWS);

        int loadsBefore = ExecutorModels.loads();
        String out = tmp.resolve("assess").toString();
        SparkAssess.Options defaults = SparkAssess.Options.defaults(samples.toString(),
                CotPipeline.cotFile(all).toString(), catalogFile, out);
        SparkAssess.Summary s = SparkAssess.run(spark, new SparkAssess.Options(defaults.samples(), 9, defaults.cot(),
                catalogFile, null, out, 3, defaults.assessors(), "minilm", "criteria", null, null));
        assertThat(s.assessed()).isEqualTo(WINDOWS);
        assertThat(s.config()).containsEntry("encoder", "minilm-l6-v2");
        assertThat(assessed(out)).isEqualTo(single);
        assertThat(s.kept()).isEqualTo(single.stream().filter(a -> a.assessment().kept()).count());

        String outHalf = tmp.resolve("assess-half").toString();
        SparkAssess.Summary h = SparkAssess.run(spark, new SparkAssess.Options(samples.toString(), 9,
                CotPipeline.cotFile(half).toString(), catalogFile, null, outHalf, 1, defaults.assessors(), "minilm",
                "criteria", null, 0.5));
        assertThat(assessed(outHalf)).isEqualTo(singleHalf);
        assertThat(h.kept()).isEqualTo(singleHalf.stream().filter(a -> a.assessment().kept()).count())
                .isLessThan(s.kept());
        assertThat(ExecutorModels.loads() - loadsBefore).isEqualTo(1); // one MiniLM for both jobs' tasks

        // augment --stage sft --criteria-prob 0.2 (quota) from Spark's assessment, in 3 partitions.
        CotPipeline.augment(all, TrainingStage.SFT, windows,
                new MixedGrainedAugmenter(0.1, 0.2, 42, MixedGrainedAugmenter.Strategy.QUOTA), null);
        SparkAugment.Summary a = SparkAugment.run(spark, new SparkAugment.Options(samples.toString(), 9,
                out + "/assessed", TrainingStage.SFT, null, 0.2, 42, MixedGrainedAugmenter.Strategy.QUOTA,
                tmp.resolve("aug").toString(), 3));
        assertThat(a.mix().full()).isEqualTo(4);
        assertThat(a.mix().criteria()).isEqualTo(8);
        assertThat(lines(a.file())).isEqualTo(sortedLines(JsonLines.read(CotPipeline.trainFile(all,
                TrainingStage.SFT), TrainingLine.class)));

        // augment --stage grpo --strategy bernoulli from the single machine's cot_assessed.jsonl, in 1 partition.
        CotPipeline.augment(half, TrainingStage.GRPO, windows,
                new MixedGrainedAugmenter(0.05, 0.3, 7, MixedGrainedAugmenter.Strategy.BERNOULLI), null);
        SparkAugment.Summary b = SparkAugment.run(spark, new SparkAugment.Options(samples.toString(), 9,
                CotPipeline.assessedFile(half).toString(), TrainingStage.GRPO, null, 0.3, 7,
                MixedGrainedAugmenter.Strategy.BERNOULLI, tmp.resolve("aug").toString(), 1));
        assertThat(b.mix().eligible()).isEqualTo((int) h.kept());
        assertThat(lines(b.file())).isEqualTo(sortedLines(JsonLines.read(CotPipeline.trainFile(half,
                TrainingStage.GRPO), TrainingLine.class)));

        // The command line: a bad stage exits with 2 before any Spark work; a run writes its JSON summary (it stops
        // the shared session, so it comes last).
        assertThat(SparkMain.run("augment", "--master", "local[2]", "--samples", samples.toString(), "--assessed",
                out + "/assessed", "--stage", "dpo", "--out", tmp.resolve("cli").toString())).isEqualTo(2);
        assertThat(SparkMain.run("augment", "--master", "local[2]", "--samples", samples.toString(), "--assessed",
                out + "/assessed", "--stage", "sft", "--criteria-prob", "0.2", "--partitions", "2", "--out",
                tmp.resolve("cli").toString())).isZero();
        Map<?, ?> summary = Json.read(tmp.resolve("cli/summary-augment.json"), Map.class);
        assertThat(summary.get("job")).isEqualTo("augment");
        assertThat(((Map<?, ?>) summary.get("mix")).get("full")).isEqualTo(4);
        assertThat(((Map<?, ?>) summary.get("mix")).get("criteria")).isEqualTo(8);
    }

    private static List<AssessedCot> assessed(String out) {
        List<AssessedCot> rows = new ArrayList<>();
        for (Row r : spark.read().parquet(out + "/assessed").collectAsList()) {
            CotTrace t = new CotTrace(r.getString(0), r.getString(1), r.getString(2), r.getList(3), r.getBoolean(4));
            rows.add(new AssessedCot(t, new Assessment(t.sampleId(), r.getBoolean(5), r.getDouble(6), r.getString(7),
                    r.<String, Double>getJavaMap(8))));
        }
        return sortedAssessed(rows);
    }

    private static List<TrainingLine> lines(String path) {
        List<TrainingLine> rows = new ArrayList<>();
        for (Row r : spark.read().parquet(path).collectAsList()) {
            rows.add(new TrainingLine(r.getString(0), r.getString(1), SampleRows.list(r, 2), r.getInt(3),
                    SampleRows.list(r, 4), Granularity.valueOf(r.getString(5).toUpperCase(Locale.ROOT)),
                    r.getString(6), null));
        }
        return sortedLines(rows);
    }

    private static List<AssessedCot> sortedAssessed(List<AssessedCot> in) {
        List<AssessedCot> out = new ArrayList<>(in);
        out.sort(Comparator.comparing(a -> a.trace().sampleId()));
        return out;
    }

    private static List<TrainingLine> sortedLines(List<TrainingLine> in) {
        List<TrainingLine> out = new ArrayList<>(in);
        out.sort(Comparator.comparing(TrainingLine::sampleId));
        return out;
    }
}
