package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.BuiltinCotGenerator;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.data.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark's build-cot equals the single-machine traces of MovieLens training windows. */
class SparkBuildCotTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("SparkBuildCotTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorModels.closeAll();
    }

    @Test
    void tracesEqualTheSingleMachineBuildCot() {
        List<RecommendationSample> windows = SparkTesting.singleMachine(Split.TRAIN, 9).subList(0, 3000);
        WorkDir w = WorkDir.of(tmp.resolve("w"));
        CotPipeline.buildCot(w, windows, new BuiltinCotGenerator(SparkTesting.prepared().catalog(), Map.of()), 1);
        List<CotTrace> single = sorted(JsonLines.read(CotPipeline.cotFile(w), CotTrace.class));

        Path samples = tmp.resolve("train.jsonl");
        JsonLines.write(samples, windows);
        String out = tmp.resolve("cot").toString();
        SparkBuildCot.Summary summary = SparkBuildCot.run(spark, new SparkBuildCot.Options(samples.toString(), 9,
                SparkTesting.prepared().workDir().catalog().toString(), null, out, 3));
        assertThat(summary.windows()).isEqualTo(3000);
        assertThat(summary.failed()).isZero();
        List<CotTrace> distributed = new ArrayList<>();
        for (Row r : spark.read().parquet(out + "/cot").collectAsList()) {
            distributed.add(new CotTrace(r.getString(0), r.getString(1), r.getString(2), r.getList(3),
                    r.getBoolean(4)));
        }
        assertThat(single).hasSize(3000);
        assertThat(sorted(distributed)).isEqualTo(single);
        assertThat(summary.valid()).isEqualTo(single.stream().filter(CotTrace::valid).count());
    }

    /**
     * A multimodal LLM server writes the traces (openai-pseudo): Spark's equal the single machine's through the
     * same server, within one client's concurrency per executor.
     */
    @Test
    void anLlmServerWritesTheSameTracesAsOnOneMachineWithinTheExecutorsConcurrency() {
        List<RecommendationSample> windows = SparkTesting.singleMachine(Split.TRAIN, 9).subList(0, 30);
        try (FakeOpenAiServer server = new FakeOpenAiServer(body -> {
            // The reasoning depends on the request (the history's titles and posters), as a real model's would.
            int h = Math.floorMod(java.util.Arrays.hashCode(body), 89);
            return "<think>...</think>\nStep 1: The user watches films of kind " + h + ".\nStep 2: They return to "
                    + "it.\nStep 3: kind " + h + "; recent; well rated.\nStep 4: A film of kind " + h + ".";
        })) {
            CotGeneratorSpec spec = new CotGeneratorSpec("openai-pseudo", server.baseUrl() + "/v1", "fake-vl",
                    "MLLMREC_TEST_NO_KEY", 30, 0.1, 256, 3);
            WorkDir w = WorkDir.of(tmp.resolve("w-llm"));
            CotPipeline.buildCot(w, windows, spec.create(SparkTesting.prepared().catalog(), Map.of()), 3);
            List<CotTrace> single = sorted(JsonLines.read(CotPipeline.cotFile(w), CotTrace.class));
            assertThat(single).hasSize(30).allSatisfy(t -> assertThat(t.valid()).isTrue());
            assertThat(single.get(0).generatorId()).isEqualTo("pseudo:fake-vl");

            server.reset();
            Path samples = tmp.resolve("train-llm.jsonl");
            JsonLines.write(samples, windows);
            String out = tmp.resolve("cot-llm").toString();
            SparkBuildCot.Summary summary = SparkBuildCot.run(spark, new SparkBuildCot.Options(samples.toString(),
                    9, SparkTesting.prepared().workDir().catalog().toString(), null, out, 4, spec));
            assertThat(summary.failed()).isZero();
            List<CotTrace> distributed = new ArrayList<>();
            for (Row r : spark.read().parquet(out + "/cot").collectAsList()) {
                distributed.add(new CotTrace(r.getString(0), r.getString(1), r.getString(2), r.getList(3),
                        r.getBoolean(4)));
            }
            assertThat(sorted(distributed)).isEqualTo(single);
            assertThat(server.requests()).isEqualTo(30);
            // Four partitions in local[2], each with 3 windows in flight, share one client of 3 permits.
            assertThat(server.maxInFlight()).isBetween(1, 3);
        } finally {
            ExecutorModels.closeAll();
        }
    }

    private static List<CotTrace> sorted(List<CotTrace> traces) {
        List<CotTrace> out = new ArrayList<>(traces);
        out.sort(Comparator.comparing(CotTrace::sampleId));
        return out;
    }
}
