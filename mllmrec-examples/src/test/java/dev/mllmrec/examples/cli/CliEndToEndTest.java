package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prepare + evaluate through {@link Main#run} on a synthetic MovieLens folder. */
class CliEndToEndTest {

    private static final Set<String> REQUIRED_METRICS = Set.of("HR@1", "HR@3", "HR@5", "HR@10", "NDCG@3", "NDCG@5",
            "NDCG@10", "MRR");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void quiet() {
        System.setProperty("mllmrec.progress.off", "true");
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            System.out.flush();
            System.err.flush();
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** 60 users, 160 movies (150 with a poster), titles with commas, quotes and non-ASCII text. */
    static Path syntheticMovieLens(Path root) throws IOException {
        Path csv = Files.createDirectories(root.resolve("ml-latest-small"));
        Path posters = Files.createDirectories(root.resolve("posters"));
        StringBuilder movies = new StringBuilder("movieId,title,genres\n");
        for (int i = 1; i <= 160; i++) {
            String title = i % 3 == 0 ? "\"Film " + i + ", The (1999)\"" : i % 3 == 1 ? "Café " + i + " (2001)"
                    : "\"Say \"\"" + i + "\"\" (1990)\"";
            movies.append(i).append(',').append(title).append(",Drama|Comedy\n");
            if (i <= 150) {
                Files.write(posters.resolve(i + ".jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8});
            }
        }
        StringBuilder ratings = new StringBuilder("userId,movieId,rating,timestamp\n");
        SplittableRandom r = new SplittableRandom(11);
        for (int u = 1; u <= 60; u++) {
            Set<Integer> seen = new HashSet<>();
            int item = 1 + r.nextInt(160);
            for (int k = 0; k < 25; k++) {
                // mostly "next movie id" chains (a Markov signal) on a popularity-skewed catalog
                item = r.nextInt(4) > 0 ? 1 + item % 160 : 1 + (int) (160 * Math.pow(r.nextDouble(), 2));
                if (seen.add(item)) {
                    ratings.append(u).append(',').append(item).append(",4.0,").append(1000 + k / 2).append('\n');
                }
            }
        }
        Files.writeString(csv.resolve("movies.csv"), movies, StandardCharsets.UTF_8);
        Files.writeString(csv.resolve("ratings.csv"), ratings, StandardCharsets.UTF_8);
        return root;
    }

    private static List<Path> sampleFiles(Path work) throws IOException {
        try (Stream<Path> s = Files.walk(work.resolve("samples"))) {
            return s.filter(p -> p.getFileName().toString().equals("samples.jsonl")).sorted().toList();
        }
    }

    @Test
    void prepareTwiceGivesByteIdenticalSamplesAndEvaluateWritesTheReport() throws IOException {
        Path data = syntheticMovieLens(tmp.resolve("ml"));
        Path w1 = tmp.resolve("w1");
        Path w2 = tmp.resolve("w2");
        Result p1 = run("prepare", "--movielens", data.toString(), "--work-dir", w1.toString(), "--images-only");
        assertThat(p1.code()).as(p1.err()).isZero();
        assertThat(p1.out()).contains("users").contains("test").contains("written");
        Result p2 = run("prepare", "--movielens", data.toString(), "--work-dir", w2.toString(), "--images-only");
        assertThat(p2.code()).isZero();

        List<Path> f1 = sampleFiles(w1);
        List<Path> f2 = sampleFiles(w2);
        assertThat(f1).hasSize(5);
        assertThat(f1.stream().map(w1::relativize).toList()).isEqualTo(f2.stream().map(w2::relativize).toList());
        for (int i = 0; i < f1.size(); i++) {
            assertThat(Files.readAllBytes(f1.get(i))).isEqualTo(Files.readAllBytes(f2.get(i)));
        }
        assertThat(Files.readAllBytes(w1.resolve("catalog.jsonl"))).isEqualTo(Files.readAllBytes(w2.resolve("catalog.jsonl")));

        JsonNode summary = Json.mapper().readTree(w1.resolve("prepare/summary.json").toFile());
        assertThat(summary.get("users").asInt()).isEqualTo(60);
        assertThat(summary.get("seed").asLong()).isEqualTo(42);
        assertThat(summary.get("samples").get("test").asInt()).isEqualTo(60);
        assertThat(summary.get("config").get("imagesOnly").asBoolean()).isTrue();
        assertThat(summary.get("data").get("interactionsWithoutImage").asLong()).isPositive();

        Result again = run("prepare", "--movielens", data.toString(), "--work-dir", w1.toString(), "--images-only");
        assertThat(again.out()).contains("reused").doesNotContain("written");
        Result otherSeed = run("prepare", "--movielens", data.toString(), "--work-dir", w1.toString(),
                "--images-only", "--seed", "7");
        assertThat(otherSeed.out()).contains("written").doesNotContain("reused");
        assertThat(sampleFiles(w1)).hasSize(10);
        run("prepare", "--movielens", data.toString(), "--work-dir", w1.toString(), "--images-only");

        double randomHr1 = 0;
        double popularityHr3 = 0;
        double markovHr3 = 0;
        for (String model : RecommenderFactory.BASELINES) {
            for (String m : List.of("9", "99")) {
                Result e = run("evaluate", "--work-dir", w1.toString(), "--model", model, "--negatives", m);
                assertThat(e.code()).as(e.err()).isZero();
                assertThat(e.out()).contains("HR@10").contains("MRR");
                Path report = w1.resolve("eval").resolve(model + "-neg" + m + "-test.json");
                JsonNode json = Json.mapper().readTree(report.toFile());
                assertThat(json.get("model").asText()).isEqualTo(model);
                assertThat(json.get("dataset").asText()).isEqualTo("movielens");
                assertThat(json.get("split").asText()).isEqualTo("test");
                assertThat(json.get("negatives").asInt()).isEqualTo(Integer.parseInt(m));
                assertThat(json.get("users").asInt()).isEqualTo(60);
                List<String> keys = new ArrayList<>();
                json.get("metrics").fieldNames().forEachRemaining(keys::add);
                assertThat(keys).containsAll(REQUIRED_METRICS);
                List<String> lines = Files.readAllLines(w1.resolve("eval").resolve(model + "-neg" + m
                        + "-test-users.jsonl"));
                assertThat(lines).hasSize(60);
                JsonNode first = Json.mapper().readTree(lines.get(0));
                assertThat(first.has("sampleId") && first.has("userId") && first.has("target") && first.has("rank")
                        && first.has("top")).isTrue();
                assertThat(first.get("top").size()).isEqualTo(10);
                if (m.equals("9")) {
                    double hr1 = json.get("metrics").get("HR@1").asDouble();
                    double hr3 = json.get("metrics").get("HR@3").asDouble();
                    switch (model) {
                        case "random" -> randomHr1 = hr1;
                        case "popularity" -> popularityHr3 = hr3;
                        default -> markovHr3 = hr3;
                    }
                }
            }
        }
        assertThat(randomHr1).isBetween(0.0, 0.3);
        assertThat(popularityHr3).isGreaterThan(0.3);
        assertThat(markovHr3).isGreaterThan(popularityHr3);

        Result validation = run("evaluate", "--work-dir", w1.toString(), "--model", "markov", "--split",
                "validation");
        assertThat(validation.code()).isZero();
        assertThat(w1.resolve("eval/markov-neg9-validation.json")).exists();
    }

    @Test
    void exportToTheReferenceFormatAndPrepareFromItGivesTheSameSamples() throws IOException {
        Path data = syntheticMovieLens(tmp.resolve("ml"));
        Path ref = tmp.resolve("ref");
        Result p1 = run("prepare", "--movielens", data.toString(), "--work-dir", tmp.resolve("w1").toString(),
                "--images-only", "--export-reference", ref.toString());
        assertThat(p1.code()).as(p1.err()).isZero();
        assertThat(ref.resolve("train.tsv")).exists();
        assertThat(ref.resolve("test.tsv")).exists();
        assertThat(Files.readAllLines(ref.resolve("movielens_titles.csv")).get(0)).isEqualTo("item,title");
        Result p2 = run("prepare", "--reference", ref.toString(), "--work-dir", tmp.resolve("w2").toString());
        assertThat(p2.code()).as(p2.err()).isZero();
        List<Path> f1 = sampleFiles(tmp.resolve("w1"));
        List<Path> f2 = sampleFiles(tmp.resolve("w2"));
        assertThat(f2.stream().map(p -> p.getParent().getFileName()).toList())
                .isEqualTo(f1.stream().map(p -> p.getParent().getFileName()).toList());
        for (int i = 0; i < f1.size(); i++) {
            assertThat(Files.readAllBytes(f2.get(i))).isEqualTo(Files.readAllBytes(f1.get(i)));
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("prepare", "evaluate")) {
            Result r = run(cmd, "--help");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage: mllmrec " + cmd).contains("--work-dir");
        }
    }

    @Test
    void badInputReachesTheUserAsOneSentence() throws IOException {
        Path data = syntheticMovieLens(tmp.resolve("ml"));
        Path ratings = data.resolve("ml-latest-small/ratings.csv");
        Files.writeString(ratings, Files.readString(ratings) + "3,9999,4.0,5\n");
        Result strict = run("prepare", "--movielens", data.toString(), "--work-dir", tmp.resolve("w").toString());
        assertThat(strict.code()).isEqualTo(2);
        assertThat(strict.err().strip()).startsWith("error: ").contains("ratings.csv, line ")
                .contains("movieId 9999 is not in movies.csv").doesNotContain("Exception").doesNotContain("\tat ");

        Result lenient = run("prepare", "--movielens", data.toString(), "--work-dir", tmp.resolve("w").toString(),
                "--lenient");
        assertThat(lenient.code()).as(lenient.err()).isZero();
        assertThat(lenient.out()).contains("skipped unknown-item").contains("1");
        JsonNode summary = Json.mapper().readTree(tmp.resolve("w/prepare/summary.json").toFile());
        assertThat(summary.get("skipped").get("unknown-item").asLong()).isEqualTo(1);
        assertThat(summary.get("data").get("skippedExamples").get("unknown-item").asText())
                .contains("movieId 9999");

        Result model = run("evaluate", "--work-dir", tmp.resolve("w").toString(), "--model", "gpt");
        assertThat(model.code()).isEqualTo(2);
        assertThat(model.err()).contains("error: Unknown model 'gpt'; known models: random, popularity, markov, sasrec, sasrec-content, sft, grpo.");

        Result device = run("evaluate", "--work-dir", tmp.resolve("w").toString(), "--model", "random",
                "--device", "tpu");
        assertThat(device.code()).isEqualTo(2);
        assertThat(device.err()).contains("error: Unknown device 'tpu'; use auto, cpu, gpu or gpu:N.");
        try {
            Result cpu = run("evaluate", "--work-dir", tmp.resolve("w").toString(), "--model", "random",
                    "--device", "cpu");
            assertThat(cpu.code()).as(cpu.err()).isZero();
        } finally {
            dev.mllmrec.core.lm.Devices.use((ai.djl.Device) null);
        }

        Result unprepared = run("evaluate", "--work-dir", tmp.resolve("empty").toString(), "--model", "random");
        assertThat(unprepared.code()).isEqualTo(2);
        assertThat(unprepared.err()).contains("run 'prepare' first");

        Result missing = run("prepare", "--movielens", tmp.resolve("nope").toString(), "--work-dir",
                tmp.resolve("w").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist");
    }
}
