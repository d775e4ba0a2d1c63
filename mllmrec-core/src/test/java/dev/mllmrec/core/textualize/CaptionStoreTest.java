package dev.mllmrec.core.textualize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Caption;
import dev.mllmrec.core.JsonLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionStoreTest {

    @TempDir
    Path dir;

    private static Caption caption(int id, String sha, String text) {
        return new Caption(id, sha, "builtin", "1.0", text);
    }

    @Test
    void captionsSurviveReopeningAndNeedsFollowsImageAndVersion() {
        Path file = dir.resolve("captions.jsonl");
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            assertThat(store.needs(1, "aa")).isTrue();
            store.put(caption(1, "aa", "A red poster."));
            store.put(caption(2, "bb", "A blue poster."));
            assertThat(store.needs(1, "aa")).isFalse();
        }
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            assertThat(store.size()).isEqualTo(2);
            assertThat(store.get(1).text()).isEqualTo("A red poster.");
            assertThat(store.needs(1, "aa")).isFalse();
            assertThat(store.needs(1, "changed")).as("a changed image is captioned again").isTrue();
            assertThat(store.needs(3, "cc")).isTrue();
        }
        try (CaptionStore v2 = CaptionStore.open(file, "builtin", "2.0")) {
            assertThat(v2.needs(1, "aa")).as("a new textualizer version captions again").isTrue();
            assertThat(v2.lines()).isEqualTo(2);
            v2.put(new Caption(1, "aa", "builtin", "2.0", "Version two."));
        }
        try (CaptionStore v1 = CaptionStore.open(file, "builtin", "1.0")) {
            assertThat(v1.get(1).text()).as("other versions' lines are kept").isEqualTo("A red poster.");
            assertThat(v1.lines()).isEqualTo(3);
        }
    }

    @Test
    void aTornLastLineIsCutOffAndResumingLeavesOneLinePerItem() throws Exception {
        Path file = dir.resolve("captions.jsonl");
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            store.put(caption(1, "aa", "One."));
            store.put(caption(2, "bb", "Two."));
        }
        // A run killed in the middle of an append leaves half a line without its newline.
        Files.writeString(file, "{\"itemId\":3,\"imageSha256\":\"cc\",\"textualizerId\":\"buil",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            assertThat(store.size()).isEqualTo(2);
            assertThat(store.needs(3, "cc")).isTrue();
            store.put(caption(3, "cc", "Three."));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(JsonLines.read(file, Caption.class)).extracting(Caption::itemId).containsExactly(1, 2, 3);
    }

    @Test
    void duplicateKeysKeepTheLastLineAndTheFileIsCompacted() throws Exception {
        Path file = dir.resolve("captions.jsonl");
        JsonLines.write(file, List.of(caption(1, "aa", "Old."), caption(2, "bb", "Two."), caption(1, "aa", "New.")));
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            assertThat(store.duplicatesDropped()).isEqualTo(1);
            assertThat(store.get(1).text()).isEqualTo("New.");
        }
        assertThat(JsonLines.read(file, Caption.class)).hasSize(2)
                .filteredOn(c -> c.itemId() == 1).extracting(Caption::text).containsExactly("New.");
    }

    @Test
    void queuedCaptionsAreWrittenInBatchesAndOnClose() throws Exception {
        Path file = dir.resolve("captions.jsonl");
        CaptionStore store = CaptionStore.open(file, "builtin", "1.0");
        for (int i = 1; i <= CaptionStore.BATCH_LINES; i++) {
            store.put(caption(i, "s" + i, "Caption " + i + "."));
        }
        assertThat(Files.readAllLines(file)).as("a full batch is on disk").hasSize(CaptionStore.BATCH_LINES);
        store.put(caption(1000, "x", "Queued."));
        store.close();
        assertThat(Files.readAllLines(file)).hasSize(CaptionStore.BATCH_LINES + 1);
    }

    @Test
    void itemLinesCarryTheCaptionWhenThereIsOne() {
        try (CaptionStore store = CaptionStore.open(dir.resolve("c.jsonl"), "builtin", "1.0")) {
            store.put(caption(7, "aa", "A red poster."));
            assertThat(store.itemLine(dev.mllmrec.api.Item.of(7, "Heat (1995)")))
                    .isEqualTo("[ITEM_7] Heat (1995) — A red poster.");
            assertThat(store.itemLine(dev.mllmrec.api.Item.of(8, "Up (2009)"))).isEqualTo("[ITEM_8] Up (2009)");
        }
    }

    @Test
    void captionsOfAnotherTextualizerAreRejected() {
        try (CaptionStore store = CaptionStore.open(dir.resolve("c.jsonl"), "builtin", "1.0")) {
            assertThatThrownBy(() -> store.put(new Caption(1, "aa", "openai", "m/p1", "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("openai");
        }
    }

    @Test
    void theReferenceCaptionsJsonRoundTrips() throws Exception {
        Path file = dir.resolve("captions.jsonl");
        Map<Integer, String> titles = Map.of(1, "Toy Story (1995)", 2, "Amélie (Fabuleux destin d'Amélie Poulain, "
                + "Le) (2001)", 10, "\"Great\" Escape, The (1963)");
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            store.put(caption(1, "a1", "Toys on a bed, sky blue."));
            store.put(caption(2, "a2", "Une femme en rouge — “guillemets” et accents é."));
            store.put(caption(10, "a10", "Barbed wire and a motorbike."));
        }
        Path json = dir.resolve("captions.json");
        try (CaptionStore store = CaptionStore.open(file, "builtin", "1.0")) {
            assertThat(store.exportReference(json, titles::get)).isEqualTo(3);
        }
        Map<Integer, ReferenceCaption> read = CaptionStore.readReference(json);
        assertThat(read).containsOnlyKeys(1, 2, 10);
        assertThat(read.get(2)).isEqualTo(new ReferenceCaption(titles.get(2),
                "Une femme en rouge — “guillemets” et accents é."));
        String text = Files.readString(json);
        assertThat(text).contains("\"10\"").contains("\"title\"").contains("\"caption\"").contains("Amélie");

        Path imported = dir.resolve("imported.jsonl");
        try (CaptionStore store = CaptionStore.open(imported, "reference", "captions.json")) {
            assertThat(store.importReference(json, id -> "a" + id)).isEqualTo(3);
            assertThat(store.importReference(json, id -> "a" + id)).as("already imported").isZero();
            Path again = dir.resolve("again.json");
            store.exportReference(again, titles::get);
            assertThat(Files.readString(again)).isEqualTo(text);
        }
    }
}
