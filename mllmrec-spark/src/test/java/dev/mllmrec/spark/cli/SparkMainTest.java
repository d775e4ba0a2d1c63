package dev.mllmrec.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, the generate, prepare and rank jobs end to end with their summaries, bad input. */
class SparkMainTest {

    @TempDir
    Path tmp;

    @Test
    void everyJobHasHelp() {
        for (String job : new String[] {"prepare", "rank", "textualize", "build-cot", "assess", "augment", "generate"}) {
            String out = capture(() -> assertThat(SparkMain.run(job, "--help")).isZero());
            assertThat(out).contains("Usage: mllmrec-spark " + job);
        }
    }

    @Test
    void generatePrepareAndRankWriteTheirSummaries() throws Exception {
        Path data = tmp.resolve("data");
        assertThat(SparkMain.run("generate", "--out", data.toString(), "--items", "120", "--interactions", "2000",
                "--seed", "5")).isZero();
        JsonNode generated = Json.mapper().readTree(data.resolve("summary-generate.json").toFile());
        assertThat(generated.at("/written/interactions").asLong()).isEqualTo(2000);

        Path out = tmp.resolve("out");
        assertThat(SparkMain.run("prepare", "--master", "local[1]", "--interactions",
                data.resolve("ratings.csv").toString(), "--out", out.toString(), "--eval-negatives", "9",
                "--conf", "spark.sql.shuffle.partitions=2")).isZero();
        JsonNode prepared = Json.mapper().readTree(out.resolve("summary-prepare.json").toFile());
        long users = prepared.get("usersKept").asLong();
        assertThat(users).isPositive();
        assertThat(prepared.at("/samples/test-neg9").asLong()).isEqualTo(users);
        assertThat(prepared.get("master").asText()).isEqualTo("local[1]");

        Path checkpoint = tmp.resolve("sasrec");
        SasRecConfig config = SasRecConfig.builder().optMaxLength(10).optHiddenSize(8).optBlocks(1).optHeads(1)
                .build();
        try (SasRecModel model = SasRecModel.create(config, IntStream.rangeClosed(1, 120).boxed().toList())) {
            model.save(checkpoint);
        }
        assertThat(SparkMain.run("rank", "--master", "local[1]", "--samples", out.resolve("samples").toString(),
                "--model-path", checkpoint.toString(), "--out", out.toString())).isZero();
        JsonNode ranked = Json.mapper().readTree(out.resolve("summary-rank.json").toFile());
        assertThat(ranked.get("samples").asLong()).isEqualTo(users);
        assertThat(ranked.at("/metrics/HR@10").asDouble()).isEqualTo(1.0);
        assertThat(ranked.at("/metrics/MRR").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void badInputExitsWithTwoAndOneLine() throws Exception {
        Path csv = tmp.resolve("x.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        String err = captureErr(() -> assertThat(SparkMain.run("prepare", "--master", "local[1]", "--interactions",
                csv.toString(), "--out", tmp.resolve("o").toString())).isEqualTo(2));
        assertThat(err).contains("error:").contains("x.csv").contains("userId");
        err = captureErr(() -> assertThat(SparkMain.run("rank", "--samples", "s", "--model", "bert",
                "--model-path", "m", "--out", "o")).isEqualTo(2));
        assertThat(err).contains("Unknown model 'bert'");
    }

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String captureErr(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
