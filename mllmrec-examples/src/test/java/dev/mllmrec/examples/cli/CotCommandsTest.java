package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CotCommandsTest {

    @Test
    void buildCotAssessAugmentOnATinyWorkDir(@TempDir Path dir) throws Exception {
        String[] genres = {"Horror", "Comedy", "Romance", "Action", "Drama"};
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            items.add(new Item(i, "Movie " + i + " (19" + (70 + i % 30) + ")", List.of(genres[i % 5]), Map.of(),
                    null));
        }
        JsonLines.write(dir.resolve("catalog.jsonl"), items);
        List<RecommendationSample> samples = new ArrayList<>();
        for (int u = 0; u < 60; u++) {
            List<Integer> history = List.of(1 + u % 30, 1 + (u + 5) % 30, 1 + (u + 10) % 30);
            int target = 1 + (u + 15) % 30;
            List<Integer> cands = List.of(target, 1 + (u + 16) % 30, 1 + (u + 17) % 30, 1 + (u + 18) % 30);
            samples.add(new RecommendationSample("u" + u + "-train-3", "u" + u, history, target, cands));
        }
        Path train = dir.resolve("samples").resolve("train-neg3-abc").resolve("samples.jsonl");
        JsonLines.write(train, samples);
        String w = dir.toString();

        assertThat(Main.run("build-cot", "--work-dir", w, "--threads", "2")).isZero();
        assertThat(Json.mapper().readTree(dir.resolve("build-cot/summary.json").toFile()).get("valid").asInt())
                .isEqualTo(60);
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.5")).isZero();
        assertThat(Json.mapper().readTree(dir.resolve("assess/summary.json").toFile()).get("kept").asInt())
                .isEqualTo(30);
        // Up to date: a second run skips (the summary is not rewritten); other options or a damaged output (and any
        // changed input file: they are part of the same fingerprint) assess again.
        Path assessed = dir.resolve("cot_assessed.jsonl");
        byte[] output = Files.readAllBytes(assessed);
        Files.delete(dir.resolve("assess/summary.json"));
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.5")).isZero();
        assertThat(dir.resolve("assess/summary.json")).doesNotExist();
        // The same catalog with its images elsewhere (the data reached by another path) is still up to date; a
        // changed title is not.
        List<Item> moved = items.stream().map(i -> new Item(i.id(), i.title(), i.genres(), i.attributes(),
                "/elsewhere/posters/" + i.id() + ".jpg")).toList();
        JsonLines.write(dir.resolve("catalog.jsonl"), moved);
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.5")).isZero();
        assertThat(dir.resolve("assess/summary.json")).doesNotExist();
        List<Item> renamed = new ArrayList<>(moved);
        renamed.set(0, new Item(1, "Another Movie (1971)", List.of("Horror"), Map.of(), null));
        JsonLines.write(dir.resolve("catalog.jsonl"), renamed);
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.5")).isZero();
        assertThat(dir.resolve("assess/summary.json")).exists();
        Files.delete(dir.resolve("assess/summary.json"));
        JsonLines.write(dir.resolve("catalog.jsonl"), items);
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.4")).isZero();
        assertThat(Json.mapper().readTree(dir.resolve("assess/summary.json").toFile()).get("kept").asInt())
                .isEqualTo(24);
        Files.delete(dir.resolve("assess/summary.json"));
        Files.write(assessed, java.util.Arrays.copyOf(output, output.length / 2));
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.5")).isZero();
        assertThat(Files.readAllBytes(assessed)).isEqualTo(output);
        Files.delete(dir.resolve("assess/summary.json"));
        assertThat(Main.run("assess", "--work-dir", w, "--encoder", "tfidf", "--keep-fraction", "0.5", "--force"))
                .isZero();
        assertThat(dir.resolve("assess/summary.json")).exists();
        assertThat(Main.run("augment", "--work-dir", w, "--stage", "sft", "--criteria-prob", "0.1")).isZero();
        var mix = Json.mapper().readTree(dir.resolve("augment/summary.json").toFile()).get("mix");
        assertThat(mix.get("full").asInt()).isEqualTo(6);
        assertThat(mix.get("criteria").asInt()).isEqualTo(6);
        byte[] first = Files.readAllBytes(dir.resolve("train_sft.jsonl"));
        assertThat(Main.run("augment", "--work-dir", w, "--stage", "sft", "--criteria-prob", "0.1")).isZero();
        assertThat(Files.readAllBytes(dir.resolve("train_sft.jsonl"))).isEqualTo(first);
        assertThat(Main.run("augment", "--work-dir", w, "--stage", "nope")).isEqualTo(2);
    }
}
