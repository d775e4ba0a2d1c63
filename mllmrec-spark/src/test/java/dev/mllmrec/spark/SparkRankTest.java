package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.eval.SampleResult;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark's batch ranking equals the single-machine evaluate's on MovieLens, with the model loaded once. */
class SparkRankTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    private static Path checkpoint;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("SparkRankTest");
        checkpoint = tmp.resolve("sasrec");
        SasRecConfig config = SasRecConfig.builder().optMaxLength(10).optHiddenSize(16).optBlocks(1).optHeads(1)
                .optSeed(3).build();
        try (SasRecModel model = SasRecModel.create(config, java.util.Arrays.stream(SparkTesting.prepared().catalog().ids()).boxed().toList())) {
            model.save(checkpoint);
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorModels.closeAll();
    }

    @Test
    void rankingsEqualTheSingleMachineEvaluateAndTheModelLoadsOnce() {
        int loadsBefore = ExecutorModels.loads();
        for (int[] set : new int[][] {{9, 3}, {99, 1}}) {
            int negatives = set[0];
            int partitions = set[1];
            List<RecommendationSample> samples = SparkTesting.singleMachine(Split.TEST, negatives);
            Evaluation single;
            Map<String, Ranking> full = new HashMap<>();
            try (SasRecRecommender rec = SasRecRecommender.load(checkpoint)) {
                single = new Evaluator(SparkRank.DEFAULT_BATCH, false).evaluate(rec, samples);
                for (int from = 0; from < samples.size(); from += SparkRank.DEFAULT_BATCH) {
                    List<RecommendationSample> batch = samples.subList(from,
                            Math.min(samples.size(), from + SparkRank.DEFAULT_BATCH));
                    List<Ranking> rankings = rec.rankAll(batch.stream().map(RecommendationSample::request).toList());
                    for (int i = 0; i < batch.size(); i++) {
                        full.put(batch.get(i).sampleId(), rankings.get(i));
                    }
                }
            }
            String file = SparkTesting.prepared().samples(Split.TEST, negatives).directory()
                    .resolve("samples.jsonl").toString();
            String out = tmp.resolve("rank-" + negatives).toString();
            SparkRank.Summary summary = SparkRank.run(spark, new SparkRank.Options(file, "test", negatives,
                    ExecutorModels.Kind.SASREC, checkpoint.toString(), out, partitions, SparkRank.DEFAULT_BATCH));

            assertThat(summary.samples()).isEqualTo(samples.size());
            assertThat(summary.partitions()).isEqualTo(partitions);
            Map<String, Row> rows = new HashMap<>();
            for (Row r : spark.read().parquet(out + "/rankings").collectAsList()) {
                rows.put(r.getString(0), r);
            }
            assertThat(rows).hasSize(samples.size());
            for (SampleResult expected : single.results()) {
                Row r = rows.get(expected.sampleId());
                assertThat(r.getString(1)).isEqualTo(expected.userId());
                assertThat(r.getInt(2)).isEqualTo(expected.target());
                assertThat(r.getInt(3)).as(expected.sampleId()).isEqualTo(expected.rank());
                assertThat(SampleRows.list(r, 4)).isEqualTo(expected.top());
                Ranking ranking = full.get(expected.sampleId());
                assertThat(SampleRows.list(r, 5)).isEqualTo(ranking.ids());
                List<Double> scores = r.getList(6);
                for (int j = 0; j < scores.size(); j++) {
                    ScoredItem item = ranking.items().get(j);
                    assertThat(scores.get(j)).isCloseTo(item.score(), within(1e-5));
                }
            }
            single.metrics().forEach((k, v) -> assertThat(summary.metrics().get(k)).as(k).isCloseTo(v,
                    within(1e-12)));
        }
        // local[2] is one executor: one load, shared by every task of both jobs.
        assertThat(ExecutorModels.loads() - loadsBefore).isEqualTo(1);
    }

    @Test
    void metricsFromAHistogramEqualTheEvaluatorsFromTheRanks() {
        int[] ranks = {0, 3, 1, 0, 9, 2, 0, 5};
        long[] histogram = new long[10];
        for (int r : ranks) {
            histogram[r]++;
        }
        Map<String, Double> expected = dev.mllmrec.core.eval.RankingMetrics.summarize(ranks);
        expected.forEach((k, v) -> assertThat(SparkRank.metrics(histogram).get(k)).isCloseTo(v, within(1e-15)));
    }
}
