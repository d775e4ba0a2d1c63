package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.core.lm.sft.SftExample;
import dev.mllmrec.core.lm.sft.SftTrainer;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-grpo on a synthetic work directory with a tiny SFT checkpoint: outputs, resume, bad options. */
class TrainGrpoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void trainsWritesEverythingAndResumes() throws Exception {
        Path w = tmp.resolve("w");
        Path movielens = CliEndToEndTest.syntheticMovieLens(tmp.resolve("ml"));
        assertThat(CliEndToEndTest.run("prepare", "--movielens", movielens.toString(), "--work-dir", w.toString())
                .code()).isZero();
        tinySft(w);

        String[] args = {"train-grpo", "--work-dir", w.toString(), "--steps", "2", "--prompts-per-step", "2",
            "--num-generations", "2", "--max-completion-tokens", "4", "--validate-every", "1",
            "--validation-samples", "4", "--max-train-prompts", "8", "--lr", "1e-3"};
        CliEndToEndTest.Result r = CliEndToEndTest.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("GRPO: 2/2 steps").contains("rollout tokens/s");
        JsonNode summary = Json.mapper().readTree(w.resolve("grpo").resolve("summary.json").toFile());
        assertThat(summary.get("steps").asLong()).isEqualTo(2);
        assertThat(summary.get("prompt_source").asText()).isEqualTo("plain");
        assertThat(summary.get("final_validation").has("HR@3")).isTrue();
        assertThat(summary.get("best_validation").has("NDCG@3")).isTrue();
        assertThat(summary.has("inflation_flags")).isTrue();
        assertThat(summary.get("rollout_tokens_per_second").asDouble()).isPositive();
        assertThat(summary.get("config").get("numGenerations").asInt()).isEqualTo(2);
        List<Map> lines = JsonLines.read(w.resolve("grpo").resolve("metrics.jsonl"), Map.class);
        assertThat(lines).hasSize(5); // validations at 0, 1, 2 and steps 1, 2
        assertThat(w.resolve("grpo").resolve("reward_vs_validation.png")).isRegularFile();
        Path grpo = w.resolve("checkpoints").resolve("grpo");
        assertThat(grpo.resolve("latest.json")).isRegularFile();
        assertThat(CheckpointStore.find(grpo, CheckpointStore.LATEST).orElseThrow().resolve("model.params"))
                .isRegularFile();
        assertThat(CheckpointStore.find(grpo, CheckpointStore.BEST).orElseThrow().resolve("tokenizer.json"))
                .isRegularFile();

        CliEndToEndTest.Result again = CliEndToEndTest.run(args);
        assertThat(again.code()).as(again.err()).isZero();
        JsonNode resumed = Json.mapper().readTree(w.resolve("grpo").resolve("summary.json").toFile());
        assertThat(resumed.get("resumed").asBoolean()).isTrue();
        assertThat(JsonLines.read(w.resolve("grpo").resolve("metrics.jsonl"), Map.class)).hasSize(5);
    }

    @Test
    void rejectsAnUnknownLossAndAMissingSftCheckpoint() throws Exception {
        Path w = tmp.resolve("w");
        Path movielens = CliEndToEndTest.syntheticMovieLens(tmp.resolve("ml"));
        assertThat(CliEndToEndTest.run("prepare", "--movielens", movielens.toString(), "--work-dir", w.toString())
                .code()).isZero();
        CliEndToEndTest.Result bad = CliEndToEndTest.run("train-grpo", "--work-dir", w.toString(), "--loss", "ppo");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("Unknown loss 'ppo'");
        CliEndToEndTest.Result none = CliEndToEndTest.run("train-grpo", "--work-dir", w.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("run train-sft first");
    }

    /** A tiny policy trained for one epoch on 16 prompts, checkpointed where train-sft writes. */
    private static void tinySft(Path w) {
        PreparedData data = PreparedData.load(WorkDir.of(w));
        PromptBuilder pb = PromptBuilder.of(data.catalog());
        List<SftExample> examples = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (RecommendationSample s : data.samples(Split.TRAIN, 9).samples().subList(0, 16)) {
            examples.add(new SftExample(pb.prompt(s), pb.answer(s)));
            texts.add(pb.prompt(s));
            texts.add(pb.answer(s));
        }
        for (Item item : data.catalog().items()) {
            texts.add(pb.itemLine(item.id()));
        }
        WordTokenizer tokenizer = WordTokenizer.builder().setTexts(texts).optMinFrequency(1)
                .optItemIds(data.catalog().items().stream().map(Item::id).toList()).build();
        LmConfig config = LmConfig.Preset.TINY.config(tokenizer.vocabSize());
        try (CausalLm model = CausalLm.create(config, 1)) {
            SftTrainer.builder().setModel(model).setTokenizer(tokenizer)
                    .optConfig(SftConfig.builder().optBatchSize(8).build())
                    .optCheckpointDir(WorkDir.of(w).checkpoints("sft")).build().train(examples);
        }
        assertThat(Files.exists(WorkDir.of(w).checkpoints("sft").resolve("latest.json"))).isTrue();
    }
}
