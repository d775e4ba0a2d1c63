package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.eval.SampleResult;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.recipe.MllmRec;
import dev.mllmrec.recipe.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark's batch ranking with a GRPO policy bundle equals the single-machine evaluate's (a tiny trained policy). */
class SparkPolicyRankTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("SparkPolicyRankTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorModels.closeAll();
    }

    @Test
    void grpoRankingsEqualTheSingleMachineEvaluate() {
        List<Item> items = new ArrayList<>();
        String[] genres = {"Comedy", "Drama", "Horror"};
        for (int id = 1; id <= 30; id++) {
            items.add(new Item(id, "Movie " + id + " (199" + id % 10 + ")", List.of(genres[id % 3]), Map.of(),
                    null));
        }
        List<UserHistory> histories = new ArrayList<>();
        for (int u = 0; u < 24; u++) {
            List<Integer> seq = new ArrayList<>();
            for (int k = 0; k < 12; k++) {
                seq.add(1 + (u % 3 + 3 * ((u + k) % 10)));
            }
            histories.add(new UserHistory("u" + u, seq));
        }
        Path work = tmp.resolve("w");
        MllmRec.builder().setCatalog(Catalog.of("tiny", items)).setHistories(histories).setWorkDir(work)
                .optRecipe(Recipe.tiny()).build().train();

        PreparedData data = PreparedData.load(WorkDir.of(work));
        List<RecommendationSample> samples = data.samples(Split.TEST, 9).samples();
        Evaluation single;
        try (PolicyRanker ranker = PolicyRanker.load(work)) {
            single = new Evaluator(SparkRank.DEFAULT_BATCH, false).evaluate(ranker, samples);
        }
        String file = data.samples(Split.TEST, 9).directory().resolve("samples.jsonl").toString();
        String out = tmp.resolve("rank").toString();
        SparkRank.Summary summary = SparkRank.run(spark, new SparkRank.Options(file, "test", 9,
                ExecutorModels.Kind.GRPO, work.toString(), out, 3, 8));
        assertThat(summary.samples()).isEqualTo(samples.size());
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(out + "/rankings").collectAsList()) {
            rows.put(r.getString(0), r);
        }
        for (SampleResult expected : single.results()) {
            Row r = rows.get(expected.sampleId());
            assertThat(r.getInt(3)).as(expected.sampleId()).isEqualTo(expected.rank());
            assertThat(SampleRows.list(r, 4)).isEqualTo(expected.top());
        }
        single.metrics().forEach((k, v) -> assertThat(summary.metrics().get(k)).as(k).isCloseTo(v, within(1e-12)));
    }
}
