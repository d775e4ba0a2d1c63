package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AblationCommandTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        System.setProperty("mllmrec.progress.off", "true");
    }

    @Test
    void aggregatesMeanAndSampleStandardDeviationPerModelAndColumn() {
        List<Map<String, Object>> runs = List.of(
                Map.of("model", "a", "neg9", Map.of("HR@3", 0.5, "MRR", 0.25)),
                Map.of("model", "a", "neg9", Map.of("HR@3", 0.7, "MRR", 0.25),
                        "neg9_buckets", Map.of("cold", Map.of("HR@3", 0.1))),
                Map.of("model", "b", "neg99", Map.of("HR@10", 0.4)));
        Map<String, Map<String, double[]>> table = AblationCommand.aggregate(runs);
        assertThat(table.keySet()).containsExactly("a", "b");
        assertThat(table.get("a").get("HR@3")[0]).isCloseTo(0.6, within(1e-12));
        assertThat(table.get("a").get("HR@3")[1]).isCloseTo(Math.sqrt(0.02), within(1e-12));
        assertThat(table.get("a").get("MRR")[1]).isZero();
        assertThat(table.get("a").get("cold HR@3")).containsExactly(0.1, 0.0, 1.0);
        assertThat(table.get("b").get("HR@10/99")[0]).isEqualTo(0.4);
        String md = AblationCommand.markdown(table, 2);
        assertThat(md).contains("| a | - | 0.6000 ± 0.1414 |").contains("| b | - | - |").contains("2 seeds");
    }

    @Test
    void theChartHasRoomForItsLongestLabel(@TempDir Path tmp) throws Exception {
        Map<String, Map<String, double[]>> table = new java.util.LinkedHashMap<>();
        String longest = "shuffled-captions-facets/grpo (candidates prompt)";
        for (String label : List.of("sasrec", "text/grpo", longest)) {
            table.put(label, Map.of("HR@3", new double[] {0.8, 0.01}, "NDCG@3", new double[] {0.7, 0.01}));
        }
        Path file = tmp.resolve("chart.png");
        AblationCommand.writeChart(file, table);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(file.toFile());
        int labelWidth = img.createGraphics().getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF,
                java.awt.Font.PLAIN, 12)).stringWidth(longest);
        // The label starts under the third bar group (x 240, y 324) and runs down at 35 degrees.
        assertThat(img.getHeight()).isGreaterThanOrEqualTo(324 + (int) (labelWidth * Math.sin(Math.toRadians(35))));
        assertThat(img.getWidth()).isGreaterThanOrEqualTo(240 + (int) (labelWidth * Math.cos(Math.toRadians(35))));
    }

    @Test
    void aVariantWithoutCotSeesNeitherAugmentedPromptFile() throws Exception {
        Path w = tmp.resolve("w");
        for (String f : List.of("catalog.jsonl", "sequences.jsonl", "train_sft.jsonl", "train_grpo.jsonl")) {
            Files.createDirectories(w);
            Files.writeString(w.resolve(f), f);
        }
        Path root = w.resolve("ablation");
        Path with = AblationCommand.runDir(WorkDir.of(w), root, "text-facets-seed42", true)
                .root();
        assertThat(with.resolve("train_sft.jsonl")).isSymbolicLink().hasContent("train_sft.jsonl");
        assertThat(with.resolve("train_grpo.jsonl")).isSymbolicLink().hasContent("train_grpo.jsonl");
        assertThat(with.resolve("catalog.jsonl")).isSymbolicLink();

        // A run directory of an earlier release linked the GRPO prompts into a no-CoT run: the link goes.
        Path without = root.resolve("runs/text-facets-no-cot-seed42");
        Files.createDirectories(without);
        Files.createSymbolicLink(without.resolve("train_grpo.jsonl"), w.resolve("train_grpo.jsonl"));
        AblationCommand.runDir(WorkDir.of(w), root, "text-facets-no-cot-seed42", false);
        assertThat(without.resolve("train_sft.jsonl")).doesNotExist();
        assertThat(without.resolve("train_grpo.jsonl")).doesNotExist();
        assertThat(without.resolve("sequences.jsonl")).isSymbolicLink().hasContent("sequences.jsonl");
        assertThat(w.resolve("train_grpo.jsonl")).hasContent("train_grpo.jsonl");
        assertThat(AblationCommand.VARIANTS).anyMatch(v -> v.name().equals("text-facets-no-cot") && !v.cot()
                && v.facets() && v.content().equals("text") && v.byDefault());
    }

    @Test
    void aTextOnlyDatasetRunsEndToEndSkipsCaptionVariantsAndResumes() throws Exception {
        Path ref = ColdTargetTest.dataset(tmp.resolve("ref"), false);
        Path w = tmp.resolve("w");
        String[] args = {"ablation", "--reference", ref.toString(), "--name", "cold", "--work-dir", w.toString(),
            "--quick", "--variants", "ids,text,text-facets,captions"};
        CliEndToEndTest.Result r = CliEndToEndTest.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("captions are skipped").contains("nothing to caption (text-only data)");
        JsonNode summary = Json.mapper().readTree(w.resolve("ablation/summary.json").toFile());
        assertThat(summary.get("seeds").asInt()).isEqualTo(1);
        assertThat(summary.get("skipped").toString()).contains("captions");
        assertThat(summary.get("table").has("ids/sft")).isTrue();
        assertThat(summary.get("table").has("text/grpo")).isTrue();
        // The pipeline's policy: facets on a dataset without genres or years are an empty block, not an error.
        assertThat(summary.get("table").has("text-facets/grpo")).isTrue();
        assertThat(summary.get("table").has("sasrec")).isTrue();
        assertThat(summary.get("table").has("popularity")).isTrue();
        assertThat(summary.get("table").has("sasrec (content)")).isTrue();
        assertThat(summary.get("table").has("text/grpo (candidates prompt)")).isTrue();
        assertThat(summary.get("table").has("text/sft (both prompts)")).isTrue();
        // 3 anchors + 3 variants x (sft, grpo) x 3 ranking views (the default and the two others)
        assertThat(summary.get("runs").size()).isEqualTo(21);
        JsonNode first = summary.get("runs").get(0);
        assertThat(first.get("neg9").get("HR@3").asDouble()).isBetween(0.0, 1.0);
        assertThat(first.get("neg9_buckets").has("rest")).isTrue();
        assertThat(Files.readString(w.resolve("ablation/table.md"))).contains("| text/sft |");
        assertThat(w.resolve("ablation/chart.png")).isRegularFile();

        String table = Files.readString(w.resolve("ablation/table.md"));
        CliEndToEndTest.Result again = CliEndToEndTest.run(args);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).doesNotContain("== train-sft").doesNotContain("== train-sasrec");
        assertThat(Files.readString(w.resolve("ablation/table.md"))).isEqualTo(table);
    }
}
