package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.textualize.BuiltinTextualizer;
import dev.mllmrec.core.textualize.CaptionStore;
import dev.mllmrec.core.textualize.Textualization;
import dev.mllmrec.core.textualize.TextualizationReport;
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

/** Spark's textualize equals the single-machine captions on MovieLens posters, and reuses an earlier run's. */
class SparkTextualizeTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("SparkTextualizeTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void captionsEqualTheSingleMachineAndAnEarlierRunIsReused() {
        List<Item> items = new ArrayList<>();
        List<Item> all = SparkTesting.prepared().catalog().items();
        all.stream().filter(Item::hasImage).limit(40).forEach(items::add);
        all.stream().filter(i -> !i.hasImage()).limit(2).forEach(items::add);
        Path catalog = tmp.resolve("catalog.jsonl");
        JsonLines.write(catalog, items);

        Map<Integer, Caption> single;
        try (CaptionStore store = CaptionStore.open(tmp.resolve("captions.jsonl"), BuiltinTextualizer.ID,
                BuiltinTextualizer.VERSION)) {
            TextualizationReport report = Textualization.builder().setTextualizer(new BuiltinTextualizer())
                    .setStore(store).optThreads(1).optProgress(false).build().run(items);
            assertThat(report.failed()).isEqualTo(2);
            single = new HashMap<>(store.captions());
        }

        String out = tmp.resolve("first").toString();
        SparkTextualize.Options o = new SparkTextualize.Options(catalog.toString(), null, out, 3,
                SparkTextualize.Options.defaults("c", "o").maxImageBytes());
        SparkTextualize.Summary first = SparkTextualize.run(spark, o);
        assertThat(first.statuses()).containsEntry("captioned", 40L).containsEntry("failed", 2L)
                .containsEntry("cached", 0L);
        assertThat(captions(out)).isEqualTo(single);

        String again = tmp.resolve("again").toString();
        SparkTextualize.Summary second = SparkTextualize.run(spark, new SparkTextualize.Options(catalog.toString(),
                out + "/captions", again, 2, o.maxImageBytes()));
        assertThat(second.statuses()).containsEntry("cached", 40L).containsEntry("failed", 2L);
        assertThat(captions(again)).isEqualTo(single);
    }

    /**
     * A vision-language server behind the OpenAI protocol: Spark's captions equal the single machine's through the
     * same server, and one client per executor JVM keeps the requests in flight within its concurrency limit.
     */
    @Test
    void aVisionLanguageServerCaptionsAsOnOneMachineWithinTheExecutorsConcurrency() throws Exception {
        List<Item> items = new ArrayList<>();
        SparkTesting.prepared().catalog().items().stream().filter(Item::hasImage).skip(40).limit(24)
                .forEach(items::add);
        Path catalog = tmp.resolve("server-catalog.jsonl");
        JsonLines.write(catalog, items);
        try (FakeOpenAiServer server = new FakeOpenAiServer(body ->
                // The caption depends on the request (the image it carries), as a real model's would.
                "A poster in tone " + Math.floorMod(java.util.Arrays.hashCode(body), 97)
                        + " with a bright frame and bold lettering.")) {
            String url = server.baseUrl();
            TextualizerSpec spec = new TextualizerSpec("openai", url, "fake-vl", "MLLMREC_TEST_NO_KEY", 30, 2);
            Map<Integer, Caption> single;
            try (CaptionStore store = CaptionStore.open(tmp.resolve("server-captions.jsonl"),
                    dev.mllmrec.core.textualize.OpenAiVisionTextualizer.ID, spec.create().version())) {
                TextualizationReport report = Textualization.builder().setTextualizer(spec.create())
                        .setStore(store).optThreads(2).optProgress(false).build().run(items);
                assertThat(report.captioned()).isEqualTo(24);
                single = new HashMap<>(store.captions());
            }
            assertThat(single.values().stream().map(Caption::text).distinct().count()).isGreaterThan(5);

            server.reset();
            String out = tmp.resolve("server").toString();
            SparkTextualize.Summary s = SparkTextualize.run(spark, new SparkTextualize.Options(catalog.toString(),
                    null, out, 3, SparkTextualize.Options.defaults("c", "o").maxImageBytes(), spec));
            assertThat(s.statuses()).containsEntry("captioned", 24L).containsEntry("failed", 0L);
            assertThat(captions(out)).isEqualTo(single);
            assertThat(server.requests()).isEqualTo(24);
            // Three partitions in local[2], each with 2 items in flight, share one client of 2 permits.
            assertThat(server.maxInFlight()).isBetween(1, 2);
        } finally {
            ExecutorModels.closeAll();
        }
    }

    @Test
    void aTextualizerSpecNamesWhatIsMissing() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TextualizerSpec("openai", null, "m", "K", 30, 4))
                .hasMessageContaining("--textualizer openai needs --base-url and --model.");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TextualizerSpec("llava", null, null, "K", 30, 4))
                .hasMessageContaining("Unknown --textualizer 'llava'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TextualizerSpec("builtin", null, null, "K", 30,
                0)).hasMessageContaining("--concurrency must be at least 1, got 0.");
    }

    private static Map<Integer, Caption> captions(String out) {
        Map<Integer, Caption> map = new HashMap<>();
        for (Row r : spark.read().parquet(out + "/captions").where("text is not null").collectAsList()) {
            map.put(r.getInt(0), new Caption(r.getInt(0), r.getString(1), r.getString(2), r.getString(3),
                    r.getString(4)));
        }
        return map;
    }
}
