package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.ReferenceFormat;
import dev.mllmrec.core.sasrec.SasRecModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainSasrecCommandTest {

    private static final String[] SMALL = {"--epochs", "2", "--hidden-size", "16", "--blocks", "1",
        "--batch-size", "32", "--lr", "0.005"};

    /** Users walking a ring of 20 items: item i is always followed by i + 1. */
    private static List<UserHistory> ring(int users) {
        Random rnd = new Random(1);
        List<UserHistory> out = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int start = rnd.nextInt(20);
            List<Integer> seq = new ArrayList<>();
            for (int i = 0; i < 13; i++) {
                seq.add(1 + (start + i) % 20);
            }
            out.add(new UserHistory("u" + u, seq));
        }
        return out;
    }

    /**
     * Prepares {@code dir} from {@code sequences} through the CLI, over a catalog of 120 items: the 20 ring items
     * and 100 that occur in no sequence (prepare draws up to 99 negatives).
     */
    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void prepare(Path dir, List<UserHistory> sequences) {
        Path reference = dir.resolve("reference-data");
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= 120; i++) {
            items.add(new Item(i, "Item " + i, List.of(), Map.of(), null));
        }
        ReferenceFormat.export(reference, Catalog.of("ring", items), sequences);
        assertThat(Main.run(new String[] {"prepare", "--reference", reference.toString(), "--name", "ring",
            "--work-dir", dir.toString()})).isZero();
    }

    private static String[] args(Path dir, String... extra) {
        List<String> a = new ArrayList<>(List.of("train-sasrec", "--work-dir", dir.toString()));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void trainsSavesAndSummarisesThenSkipsAFinishedRun(@TempDir Path dir) {
        WorkDir w = WorkDir.of(dir);
        prepare(dir, ring(30));
        assertThat(Main.run(args(dir))).isZero();

        JsonNode summary = Json.read(w.summary("train-sasrec"), JsonNode.class);
        assertThat(summary.get("params").asLong()).isPositive();
        assertThat(summary.get("steps").asInt()).isPositive();
        assertThat(summary.get("seconds").asDouble()).isPositive();
        assertThat(summary.get("train_loss").asDouble()).isPositive();
        assertThat(summary.get("validation").has("HR@1")).isTrue();
        assertThat(summary.get("validation").has("HR@3")).isTrue();
        assertThat(summary.get("validation").has("NDCG@3")).isTrue();
        assertThat(JsonLines.read(w.commandDir("train-sasrec").resolve("metrics.jsonl"), JsonNode.class))
                .hasSize(summary.get("epochs").asInt());
        try (SasRecModel model = SasRecModel.load(w.checkpoints("sasrec"))) {
            assertThat(model.config().epochs()).isEqualTo(2);
            // The vocabulary is the catalog, never only the items that occur in sequences.
            assertThat(model.numItems()).isEqualTo(120);
        }

        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args(dir))).isZero();
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("already holds a model");
    }

    @Test
    void itemFeaturesTrainTheContentAwareModelBesideTheIdOneAndABadValueIsNamed(@TempDir Path dir) {
        WorkDir w = WorkDir.of(dir);
        Path reference = dir.resolve("reference-data");
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= 120; i++) { // genres and years: the attribute features
            items.add(new Item(i, "Item " + i + " (" + (i % 2 == 0 ? 1995 : 2004) + ")",
                    List.of(i % 3 == 0 ? "Comedy" : "Drama"), Map.of(), null));
        }
        ReferenceFormat.export(reference, Catalog.of("ring", items), ring(30));
        assertThat(Main.run(new String[] {"prepare", "--reference", reference.toString(), "--name", "ring",
            "--work-dir", dir.toString()})).isZero();
        assertThat(Main.run(args(dir))).isZero();
        String idsSummary = read(w.summary("train-sasrec"));
        assertThat(Main.run(args(dir, "--item-features", "attributes"))).isZero();
        // A second model beside the id one, which stays as it was.
        assertThat(read(w.summary("train-sasrec"))).isEqualTo(idsSummary);
        JsonNode summary = Json.read(w.summary("train-sasrec-content"), JsonNode.class);
        assertThat(summary.get("settings").get("item_features").asText()).isEqualTo("attributes");
        assertThat(summary.get("checkpoint").asText()).isEqualTo(w.checkpoints("sasrec-content").toString());
        assertThat(w.commandDir("train-sasrec-content").resolve("metrics.jsonl")).isRegularFile();
        int width = dev.mllmrec.core.content.ItemFacets.attributes(
                dev.mllmrec.core.data.PreparedData.load(w).catalog().items())[0].length;
        assertThat(width).isPositive();
        assertThat(summary.get("item_feature_width").asInt()).isEqualTo(width);
        try (SasRecModel model = SasRecModel.load(w.checkpoints("sasrec-content"));
             SasRecModel ids = SasRecModel.load(w.checkpoints("sasrec"))) {
            assertThat(model.featureWidth()).isEqualTo(width);
            assertThat(ids.featureWidth()).isZero();
        }

        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args(dir, "--item-features", "posters-only"))).isNotZero();
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--item-features must be none, attributes or "
                + "facets, got 'posters-only'");
    }

    @Test
    void aStopRequestEndsTrainingAtTheNextStepWithoutACheckpointThatWouldLookFinished(@TempDir Path dir) {
        WorkDir w = WorkDir.of(dir);
        prepare(dir, ring(30));
        StopSignal.request("test");
        try {
            assertThat(Main.run(args(dir))).isEqualTo(CleanStop.STOPPED_STATUS);
        } finally {
            StopSignal.reset();
        }
        assertThat(w.summary("train-sasrec")).doesNotExist();
        assertThat(w.checkpoints("sasrec").resolve("checkpoint.json")).doesNotExist();
        assertThat(Main.run(args(dir))).isZero();
        assertThat(w.summary("train-sasrec")).exists();
    }

    @Test
    void missingSequencesIsAUsageError(@TempDir Path dir) {
        assertThat(Main.run(args(dir))).isEqualTo(2);
    }
}
