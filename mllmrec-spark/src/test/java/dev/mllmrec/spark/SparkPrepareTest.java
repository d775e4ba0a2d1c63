package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.data.Dataset;
import dev.mllmrec.core.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark prepare equals the single-machine prepare on MovieLens, whatever the partitioning. */
class SparkPrepareTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("SparkPrepareTest", "local[2,2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void samplesEqualTheSingleMachinePrepareWithOneAndThreePartitions() {
        for (int partitions : new int[] {1, 3}) {
            String out = tmp.resolve("p" + partitions).toString();
            SparkPrepare.Summary summary = SparkPrepare.run(spark,
                    SparkPrepare.Options.defaults(SparkTesting.ratings().toString(), out).withPartitions(partitions));
            assertThat(summary.partitions()).isEqualTo(partitions);
            Dataset d = SparkTesting.movielens();
            assertThat(summary.usersKept()).isEqualTo(d.sequences().size());
            assertThat(summary.poolItems()).isEqualTo(d.catalog().size());
            assertThat(summary.samples()).containsOnlyKeys("train-neg9", "validation-neg9", "validation-neg99",
                    "test-neg9", "test-neg99");
            for (SetKey set : List.of(new SetKey(Split.TRAIN, 9), new SetKey(Split.VALIDATION, 9),
                    new SetKey(Split.VALIDATION, 99), new SetKey(Split.TEST, 9), new SetKey(Split.TEST, 99))) {
                List<RecommendationSample> single = SparkTesting.singleMachine(set.split(), set.negatives());
                List<RecommendationSample> distributed = new ArrayList<>();
                for (Row r : Tables.samples(spark, out + "/samples", set.split().id(), set.negatives())
                        .collectAsList()) {
                    distributed.add(SampleRows.toSample(r));
                }
                assertThat(single).isNotEmpty();
                assertThat(summary.samples().get(set.split().id() + "-neg" + set.negatives()))
                        .isEqualTo(single.size());
                assertThat(SparkTesting.sorted(distributed)).as("%s with %d partitions", set, partitions)
                        .isEqualTo(SparkTesting.sorted(single));
            }
            List<UserHistory> sequences = new ArrayList<>();
            for (Row r : spark.read().parquet(out + "/sequences").collectAsList()) {
                sequences.add(new UserHistory(r.getString(0), SampleRows.list(r, 1)));
            }
            sequences.sort(Comparator.comparing(UserHistory::userId,
                    dev.mllmrec.core.data.Sequences.USER_ORDER));
            assertThat(sequences).isEqualTo(d.sequences());
        }
    }

    @Test
    void theSingleMachineSamplesFileReadsAsASampleTable() {
        List<RecommendationSample> single = SparkTesting.singleMachine(Split.TEST, 99);
        Path file = SparkTesting.prepared().samples(Split.TEST, 99).directory().resolve("samples.jsonl");
        List<RecommendationSample> read = new ArrayList<>();
        for (Row r : Tables.samples(spark, file.toString(), "test", 99).collectAsList()) {
            read.add(SampleRows.toSample(r));
        }
        assertThat(read).isEqualTo(single);
    }

    @Test
    void anItemThatIsNoNumberIsReportedWithItsUser() throws Exception {
        Path csv = tmp.resolve("bad.csv");
        StringBuilder sb = new StringBuilder("userId,itemId,timestamp\n");
        for (int i = 0; i < 12; i++) {
            sb.append("7,").append(i == 5 ? "x5" : String.valueOf(i + 1)).append(',').append(100 + i).append('\n');
        }
        Files.writeString(csv, sb.toString());
        assertThatThrownBy(() -> SparkPrepare.run(spark,
                SparkPrepare.Options.defaults(csv.toString(), tmp.resolve("bad").toString())))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("bad.csv").hasMessageContaining("user 7");
    }

    @Test
    void aTableWithoutTheColumnsIsReportedWithTheColumnsItHas() throws Exception {
        Path csv = tmp.resolve("columns.csv");
        Files.writeString(csv, "user,item,time\n1,2,3\n");
        assertThatThrownBy(() -> Tables.interactions(spark, csv.toString()))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("user,item,time").hasMessageContaining("userId");
    }

    @Test
    void aCatalogTableGivesThePoolAndAnItemOutsideItIsReported() throws Exception {
        Path csv = tmp.resolve("small.csv");
        StringBuilder sb = new StringBuilder("userId,itemId,timestamp\n");
        for (int u = 1; u <= 3; u++) {
            for (int i = 0; i < 10; i++) {
                sb.append(u).append(',').append(1 + (u + i) % 12).append(',').append(i).append('\n');
            }
        }
        Files.writeString(csv, sb.toString());
        Path catalog = tmp.resolve("catalog.jsonl");
        StringBuilder items = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            items.append("{\"id\":").append(i).append(",\"title\":\"t").append(i).append("\"}\n");
        }
        Files.writeString(catalog, items.toString());
        String out = tmp.resolve("small").toString();
        SparkPrepare.Options o = new SparkPrepare.Options(csv.toString(), catalog.toString(), out, 10, 9,
                dev.mllmrec.core.data.NegativeSampler.UNIFORM_WINDOW, 42, List.of(20), 9, 2);
        SparkPrepare.Summary s = SparkPrepare.run(spark, o);
        assertThat(s.poolItems()).isEqualTo(40);
        assertThat(spark.read().parquet(out + "/samples").where(col("negatives").equalTo(20)).count())
                .isEqualTo(6);

        Files.writeString(catalog, "{\"id\":1}\n{\"id\":2}\n");
        assertThatThrownBy(() -> SparkPrepare.run(spark, o)).hasStackTraceContaining("not in the catalog");
    }

    @Test
    void aTaskThatFailsAndIsRunAgainWritesTheSameRows() {
        List<Row> users = new ArrayList<>();
        for (UserHistory h : SparkTesting.movielens().sequences().subList(0, 40)) {
            users.add(org.apache.spark.sql.RowFactory.create(h.userId(), SampleRows.seq(h.items())));
        }
        org.apache.spark.sql.Dataset<Row> table = spark.createDataFrame(users, SampleRows.SEQUENCE).repartition(2);
        SparkPrepare.Options o = SparkPrepare.Options.defaults("movielens", tmp.resolve("retry").toString());
        org.apache.spark.broadcast.Broadcast<int[]> pool = org.apache.spark.api.java.JavaSparkContext
                .fromSparkContext(spark.sparkContext()).broadcast(SparkTesting.movielens().catalog().ids());
        SparkPrepare.UserSamples samples = new SparkPrepare.UserSamples(pool, o, null);
        org.apache.spark.api.java.function.FlatMapFunction<Row, Row> failsOnce = row -> {
            org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
            if (task.attemptNumber() == 0 && task.partitionId() == 0) {
                throw new IllegalStateException("injected failure of the first attempt");
            }
            return samples.call(row);
        };
        var encoder = org.apache.spark.sql.Encoders.row(SampleRows.SAMPLE_IN_SET);
        List<RecommendationSample> retried = new ArrayList<>();
        for (Row r : table.flatMap(failsOnce, encoder).collectAsList()) {
            retried.add(SampleRows.toSample(r));
        }
        List<RecommendationSample> plain = new ArrayList<>();
        for (Row r : table.flatMap(samples, encoder).collectAsList()) {
            plain.add(SampleRows.toSample(r));
        }
        assertThat(retried).hasSize(plain.size());
        assertThat(SparkTesting.sorted(retried)).isEqualTo(SparkTesting.sorted(plain));
    }

    private record SetKey(Split split, int negatives) {
    }
}
