package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-onnx and evaluate --engine onnx: the ONNX export ranks with the DJL model's metrics. */
class ExportOnnxCommandTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        System.setProperty("mllmrec.progress.off", "true");
    }

    private static CliEndToEndTest.Result assertRun(String... args) {
        CliEndToEndTest.Result r = CliEndToEndTest.run(args);
        assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isZero();
        return r;
    }

    private static JsonNode metrics(Path w, String report) throws IOException {
        return Json.mapper().readTree(w.resolve("eval").resolve(report).toFile()).get("metrics");
    }

    @Test
    void exportsSasrecAndAPolicyWithContentAndEvaluatesThemIdentically() throws IOException {
        Path w = tmp.resolve("w");
        Path movielens = CliEndToEndTest.syntheticMovieLens(tmp.resolve("ml"));
        assertRun("prepare", "--movielens", movielens.toString(), "--work-dir", w.toString());
        CliEndToEndTest.Result missing = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "sasrec", "--engine", "onnx");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("No ONNX export of sasrec").contains("export-onnx");

        assertRun("train-sasrec", "--work-dir", w.toString(), "--epochs", "2", "--hidden-size", "16", "--blocks",
                "1", "--batch-size", "32", "--lr", "0.005");
        assertRun("train-sft", "--work-dir", w.toString(), "--preset", "tiny", "--sequence-epochs", "1",
                "--epochs", "1", "--max-train", "16", "--batch-size", "16", "--grpo-holdout", "0",
                "--item-content", "text", "--content-encoder", "tfidf");
        for (String model : new String[] {"sasrec", "sft"}) {
            CliEndToEndTest.Result export = assertRun("export-onnx", "--work-dir", w.toString(), "--model", model,
                    "--verify-negatives", "99");
            JsonNode summary = Json.mapper().readTree(w.resolve("export-onnx").resolve(model + ".json").toFile());
            assertThat(summary.get("verification").get("samples").asInt()).isEqualTo(60);
            assertThat(summary.get("verification").get("max_abs_score_difference").asDouble()).isLessThan(1e-4);
            assertThat(w.resolve("onnx").resolve(model).resolve("model.onnx")).isRegularFile();
            assertThat(export.out()).contains("max_abs_score_difference");
            for (String negatives : new String[] {"9", "99"}) {
                assertRun("evaluate", "--work-dir", w.toString(), "--model", model, "--negatives", negatives);
                assertRun("evaluate", "--work-dir", w.toString(), "--model", model, "--negatives", negatives,
                        "--engine", "onnx");
                assertThat(metrics(w, model + "-onnx-neg" + negatives + "-test.json"))
                        .isEqualTo(metrics(w, model + "-neg" + negatives + "-test.json"));
            }
        }
        // An explicit view writes its own report on either engine, beside the default view's.
        for (String engine : new String[] {"djl", "onnx"}) {
            assertRun("evaluate", "--work-dir", w.toString(), "--model", "sft", "--engine", engine,
                    "--ranking-view", "candidates");
        }
        assertThat(metrics(w, "sft-candidates-onnx-neg9-test.json"))
                .isEqualTo(metrics(w, "sft-candidates-neg9-test.json"));
        assertThat(w.resolve("eval").resolve("sft-onnx-neg9-test.json")).isRegularFile();
        assertThat(w.resolve("onnx").resolve("sft").resolve("tokenizer.json")).isRegularFile();
        JsonNode manifest = Json.mapper().readTree(w.resolve("onnx").resolve("sft").resolve("model.json").toFile());
        assertThat(manifest.get("kind").asText()).isEqualTo("policy");
        assertThat(manifest.get("promptStyle").asText()).isEqualTo("compact");

        CliEndToEndTest.Result bad = CliEndToEndTest.run("export-onnx", "--work-dir", w.toString(), "--model",
                "markov");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("sasrec, sasrec-content, sft or grpo");
        CliEndToEndTest.Result noGrpo = CliEndToEndTest.run("export-onnx", "--work-dir", w.toString(), "--model",
                "grpo");
        assertThat(noGrpo.code()).isEqualTo(2);
        assertThat(noGrpo.err()).contains("train");
    }
}
