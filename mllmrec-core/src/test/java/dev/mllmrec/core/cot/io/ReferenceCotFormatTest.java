package dev.mllmrec.core.cot.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.BuiltinCotGenerator;
import dev.mllmrec.core.cot.CotFixtures;
import dev.mllmrec.core.cot.CotPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCotFormatTest {

    @Test
    void exportThenImportRoundTrips(@TempDir Path dir) throws Exception {
        List<RecommendationSample> samples = List.of(
                new RecommendationSample("u1-train-5", "u1", List.of(8, 4, 6), 5, List.of(5, 1, 2)),
                new RecommendationSample("u2-train-3", "u2", List.of(1, 2), 8, List.of(8, 4, 3)),
                new RecommendationSample("u3-train-4", "u3", List.of(3, 9), 10, List.of(10, 7, 1)));
        BuiltinCotGenerator g = new BuiltinCotGenerator(CotFixtures.catalog(), CotFixtures.captions());
        Map<String, CotTrace> traces = new LinkedHashMap<>();
        for (RecommendationSample s : samples.subList(0, 2)) {
            traces.put(s.sampleId(), g.generate(CotPipeline.request(s)));
        }
        Path file = dir.resolve("movielens_deepseek_cot.json");
        ReferenceCotFormat.export(file, samples, traces, CotFixtures.catalog());

        String json = Files.readString(file);
        assertThat(json).contains("\"line_idx\" : 1", "\"user_id\" : \"u2\"", "\"item_id\" : \"8\"",
                "\"title\" : \"Notting Hill (1999)\"", "\"image_path\" : null", "\"reasoning\" : \"Step 1:");
        List<ReferenceCotFormat.Entry> entries = ReferenceCotFormat.read(file);
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).historyItems()).extracting(ReferenceCotFormat.RefItem::itemId)
                .containsExactly("8", "4", "6");

        List<CotTrace> back = ReferenceCotFormat.importTraces(file, samples);
        assertThat(back).hasSize(2);
        for (CotTrace t : back) {
            CotTrace original = traces.get(t.sampleId());
            assertThat(t.text()).isEqualTo(original.text());
            assertThat(t.steps()).isEqualTo(original.steps());
            assertThat(t.valid()).isTrue();
            assertThat(t.generatorId()).isEqualTo(ReferenceCotFormat.IMPORTED);
        }
        // Re-export of the import gives the same file.
        Map<String, CotTrace> imported = new LinkedHashMap<>();
        back.forEach(t -> imported.put(t.sampleId(), t));
        Path again = dir.resolve("again.json");
        ReferenceCotFormat.export(again, samples, imported, CotFixtures.catalog());
        assertThat(Files.readString(again)).isEqualTo(json);
    }

    @Test
    void importsByLineIndexWhenTheHistoryDiffers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ref.json");
        Files.writeString(file, "[{\"line_idx\": 0, \"user_id\": \"u1\", \"history_items\": [{\"item_id\": \"99\","
                + " \"title\": \"X\", \"image_path\": \"a.jpg\"}], \"target_item\": {\"item_id\": \"5\", \"title\":"
                + " \"Y\", \"image_path\": \"b.jpg\"}, \"reasoning\": \"Step 1: a Step 2: b\"}]");
        List<RecommendationSample> samples = List.of(
                new RecommendationSample("u1-train-5", "u1", List.of(8, 4, 6), 5, List.of(5, 1, 2)));
        List<CotTrace> back = ReferenceCotFormat.importTraces(file, samples);
        assertThat(back).hasSize(1);
        assertThat(back.get(0).valid()).isFalse();
        assertThat(back.get(0).text()).isEqualTo("Step 1: a Step 2: b");
    }
}
