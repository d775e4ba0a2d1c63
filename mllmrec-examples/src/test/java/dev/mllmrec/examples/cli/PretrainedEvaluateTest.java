package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.hf.HfConfig;
import dev.mllmrec.core.lm.hf.HfDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --model pretrained --base-model DIR} on a folder the test writes: small random Qwen3-architecture
 * weights beside the real Qwen3 tokenizer. Random weights rank at chance; the point is the path (one negative per user keeps the 152k-vocabulary scoring short).
 */
class PretrainedEvaluateTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        System.setProperty("mllmrec.progress.off", "true");
    }

    @Test
    void evaluatesAHuggingFaceFolderWithReferencePrompts() throws Exception {
        Path tokenizer = Path.of(System.getProperty("mllmrec.shared.dir", "../../shared"))
                .resolve("data/tokenizers/qwen3/tokenizer.json");
        Assumptions.assumeTrue(Files.isRegularFile(tokenizer), "Qwen3 tokenizer not found: " + tokenizer);
        HfConfig config = new HfConfig(HfConfig.Family.QWEN3, 16, 32, 1, 2, 1, 8, 151_936, 4096, 1e-6, 1e6, true,
                false, false, 151_643, new int[] {151_645});
        Path model = tmp.resolve("qwen3-random");
        HfDecoder.writeFolder(model, config, HfDecoder.randomWeights(config, 9, 0.05), "BF16");
        Path w = tmp.resolve("w");
        Path data = CliEndToEndTest.syntheticMovieLens(tmp.resolve("data"));
        CliEndToEndTest.Result prep = CliEndToEndTest.run("prepare", "--movielens", data.toString(), "--work-dir",
                w.toString(), "--images-only");
        assertThat(prep.code()).as(prep.err()).isZero();

        CliEndToEndTest.Result noTokenizer = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "pretrained", "--base-model", model.toString());
        assertThat(noTokenizer.code()).isEqualTo(2);
        assertThat(noTokenizer.err()).contains("has no tokenizer.json");
        CliEndToEndTest.Result missing = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "pretrained");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--model pretrained needs --base-model");

        Files.copy(tokenizer, model.resolve("tokenizer.json"));
        CliEndToEndTest.Result e = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "pretrained", "--base-model", model.toString(), "--negatives", "1");
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode report = Json.mapper().readTree(w.resolve("eval/pretrained-neg1-test.json").toFile());
        assertThat(report.path("users").asInt()).isPositive();
        double hr3 = report.path("metrics").path("HR@3").asDouble(-1);
        assertThat(hr3).isBetween(0.0, 1.0);
    }
}
