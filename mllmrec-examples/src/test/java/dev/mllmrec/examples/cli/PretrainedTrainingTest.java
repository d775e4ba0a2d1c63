package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.hf.HfConfig;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.pipeline.PretrainedSftStage;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.rec.PolicyBundle;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train-sft --base-model} then {@code train-grpo} with LoRA, end to end on a slice of the real MovieLens data
 * with reference-style prompts, on a Hugging Face folder the test writes: the real Qwen3 tokenizer (151,669 ids)
 * beside small random Qwen3-architecture weights (hidden 32, one layer). Random weights rank at chance and never
 * answer in the format, so GRPO's rewards carry no signal; the point is the path: LoRA checkpoints at every stage,
 * the GRPO checkpoint served by {@code evaluate --model pretrained --adapters}.
 */
class PretrainedTrainingTest {

    /** Users of ml-latest-small with 20 to 25 ratings (short histories keep the slice small). */
    private static final Set<String> USERS = Set.of("26", "35", "37", "49", "53", "55");

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        System.setProperty("mllmrec.progress.off", "true");
    }

    private static Path shared() {
        return Path.of(System.getProperty("mllmrec.shared.dir", "../../shared"));
    }

    /** The ratings of {@link #USERS} and the movies they rated, from the shared MovieLens folder. */
    private static Path slice(Path out) throws IOException {
        Path ml = shared().resolve("data/movielens/ml-latest-small");
        Files.createDirectories(out);
        StringBuilder ratings = new StringBuilder("userId,movieId,rating,timestamp\n");
        Set<String> movies = new HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(ml.resolve("ratings.csv"), StandardCharsets.UTF_8)) {
            String line = r.readLine();
            while ((line = r.readLine()) != null) {
                String[] f = line.split(",");
                if (USERS.contains(f[0])) {
                    ratings.append(line).append('\n');
                    movies.add(f[1]);
                }
            }
        }
        StringBuilder titles = new StringBuilder();
        try (BufferedReader r = Files.newBufferedReader(ml.resolve("movies.csv"), StandardCharsets.UTF_8)) {
            titles.append(r.readLine()).append('\n');
            String line;
            while ((line = r.readLine()) != null) {
                if (movies.contains(line.substring(0, line.indexOf(',')))) {
                    titles.append(line).append('\n');
                }
            }
        }
        Files.writeString(out.resolve("ratings.csv"), ratings, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("movies.csv"), titles, StandardCharsets.UTF_8);
        return out;
    }

    private static Map<String, float[]> adapters(Path checkpoint) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (dev.mllmrec.core.lm.hf.SafeTensors st = dev.mllmrec.core.lm.hf.SafeTensors.open(
                java.util.List.of(checkpoint.resolve(HfDecoder.ADAPTER_WEIGHTS)))) {
            for (String name : st.names()) {
                out.put(name, st.floats(name));
            }
        }
        return out;
    }

    @Test
    void loraSftThenGrpoOnMovieLensWithTheQwen3Tokenizer() throws IOException {
        Path tokenizer = shared().resolve("data/tokenizers/qwen3/tokenizer.json");
        Path movielens = shared().resolve("data/movielens/ml-latest-small/ratings.csv");
        Assumptions.assumeTrue(Files.isRegularFile(tokenizer) && Files.isRegularFile(movielens),
                "The shared Qwen3 tokenizer or MovieLens data is missing under " + shared());
        HfConfig config = new HfConfig(HfConfig.Family.QWEN3, 32, 64, 1, 2, 1, 16, 151_936, 4096, 1e-6, 1e6, true,
                false, false, 151_643, new int[] {151_645});
        Path model = tmp.resolve("qwen3-random");
        HfDecoder.writeFolder(model, config, HfDecoder.randomWeights(config, 9, 0.05), "F32");
        Files.copy(tokenizer, model.resolve("tokenizer.json"));
        // Qwen3's tokenizer_config.json: prompts go through its chat template (ChatML, thinking off).
        Files.copy(tokenizer.resolveSibling(ChatTemplate.CONFIG_FILE), model.resolve(ChatTemplate.CONFIG_FILE));
        Path w = tmp.resolve("w");
        CliEndToEndTest.Result prep = CliEndToEndTest.run("prepare", "--movielens", slice(tmp.resolve("ml"))
                .toString(), "--work-dir", w.toString());
        assertThat(prep.code()).as(prep.err()).isZero();

        CliEndToEndTest.Result sft = CliEndToEndTest.run("train-sft", "--work-dir", w.toString(), "--base-model",
                model.toString(), "--lora-rank", "4", "--lora-alpha", "8", "--lora-targets", "q,k,v,o", "--epochs",
                "1", "--batch-size", "4", "--max-train", "8", "--validation-samples", "2", "--lr", "1e-3");
        assertThat(sft.code()).as(sft.err()).isZero();
        JsonNode sftSummary = Json.mapper().readTree(w.resolve("sft/summary.json").toFile());
        assertThat(sftSummary.path("policy").asText()).isEqualTo("pretrained");
        assertThat(sftSummary.path("steps").asInt()).isEqualTo(2);
        assertThat(sftSummary.path("train_loss").asDouble()).isGreaterThan(5.0); // about ln(151,936) = 11.9
        // q and o map 32 to 32, k and v 32 to 16 (one KV head of 16): A (4 x in) and B (out x 4) each
        assertThat(sftSummary.path("params").asLong()).isEqualTo(2L * (4 * 32 + 32 * 4) + 2L * (4 * 32 + 16 * 4));
        assertThat(sftSummary.path("validation").has("HR@3")).isTrue();
        assertThat(sftSummary.path("chat_template").asText()).isEqualTo("qwen3");
        assertThat(PolicyBundle.readChatTemplate(w.resolve("checkpoints/sft"))).isEqualTo(ChatTemplate.qwen3());
        Path sftCheckpoint = SftCheckpoint.latest(w.resolve("checkpoints/sft")).orElseThrow();
        assertThat(sftCheckpoint.resolve(HfDecoder.ADAPTER_CONFIG)).isRegularFile();
        assertThat(sftCheckpoint.resolve(HfDecoder.BASE_FILE)).isRegularFile();
        assertThat(sftCheckpoint.resolve(SftCheckpoint.TOKENIZER_FILE)).isRegularFile();
        assertThat(sftCheckpoint.resolve(CausalLm.WEIGHTS_FILE)).doesNotExist();
        Map<String, float[]> sftAdapters = adapters(sftCheckpoint);
        assertThat(sftAdapters).hasSize(8);
        assertThat(sftAdapters.keySet()).allMatch(k -> k.startsWith("base_model.model.model.layers.0.self_attn."));

        CliEndToEndTest.Result lists = CliEndToEndTest.run("train-grpo", "--work-dir", w.toString(),
                "--constrain-to-candidates", "--ranked-list", "3");
        assertThat(lists.code()).isEqualTo(2);
        assertThat(lists.err()).contains("one token per item");
        CliEndToEndTest.Result grpo = CliEndToEndTest.run("train-grpo", "--work-dir", w.toString(), "--steps", "2",
                "--num-generations", "2", "--prompts-per-step", "1", "--max-completion-tokens", "6",
                "--validation-samples", "2", "--validate-every", "1");
        assertThat(grpo.code()).as(grpo.err()).isZero();
        JsonNode grpoSummary = Json.mapper().readTree(w.resolve("grpo/summary.json").toFile());
        assertThat(grpoSummary.path("steps").asInt()).isEqualTo(2);
        assertThat(grpoSummary.path("completed").asBoolean()).isTrue();
        assertThat(grpoSummary.path("model").asText()).contains("HfDecoder").contains("LoRA r=4");
        assertThat(grpoSummary.path("params").asLong()).isEqualTo(sftSummary.path("params").asLong());
        assertThat(grpoSummary.path("chat_template").asText()).isEqualTo("qwen3");
        Path latest = CheckpointStore.find(w.resolve("checkpoints/grpo"), CheckpointStore.LATEST).orElseThrow();
        assertThat(PolicyBundle.readChatTemplate(latest)).isEqualTo(ChatTemplate.qwen3());
        assertThat(latest.resolve(HfDecoder.ADAPTER_WEIGHTS)).isRegularFile();
        assertThat(latest.resolve(CausalLm.WEIGHTS_FILE)).doesNotExist();
        assertThat(adapters(latest).keySet()).isEqualTo(sftAdapters.keySet());

        CliEndToEndTest.Result eval = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "pretrained", "--base-model", model.toString(), "--adapters",
                w.resolve("checkpoints/grpo/best.json").toString(), "--negatives", "1");
        assertThat(eval.code()).as(eval.err()).isZero();
        CliEndToEndTest.Result bogus = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "pretrained", "--base-model", model.toString(), "--chat-template", "jinja");
        assertThat(bogus.code()).isEqualTo(2);
        assertThat(bogus.err()).contains("--chat-template 'jinja'");
        JsonNode report = Json.mapper().readTree(w.resolve("eval/pretrained-neg1-test.json").toFile());
        assertThat(report.path("users").asInt()).isEqualTo(USERS.size());
        assertThat(report.path("metrics").path("HR@1").asDouble(-1)).isBetween(0.0, 1.0);
        // evaluate --model grpo finds the adapters best.json names and serves them on their base.
        CliEndToEndTest.Result byName = CliEndToEndTest.run("evaluate", "--work-dir", w.toString(), "--model",
                "grpo", "--negatives", "1");
        assertThat(byName.code()).as(byName.err()).isZero();
        assertThat(w.resolve("eval/grpo-neg1-test.json")).isRegularFile();

        // The serving API: PolicyRanker serves the GRPO adapters on their base, ranking as evaluate does.
        PreparedData data = PreparedData.load(WorkDir.of(w));
        RecommendationSample sample = data.samples(Split.TEST, 9).samples().get(0);
        RankingRequest request = new RankingRequest(sample.userId(), sample.history(), sample.candidates());
        Path best = PolicyRanker.checkpoint(w, "grpo", PolicyRanker.Pick.BEST);
        Ranking served;
        try (PolicyRanker ranker = PolicyRanker.load(w, "grpo", PolicyRanker.Pick.BEST)) {
            assertThat(ranker.provenance().checkpoint()).isEqualTo(best);
            served = ranker.rank(request);
        }
        dev.mllmrec.api.Recommender rec = RecommenderFactory.pretrained(model, best, data, 42,
                RecommenderFactory.Mode.LIKELIHOOD);
        Ranking evaluated;
        try {
            evaluated = rec.rank(request);
        } finally {
            close(rec);
        }
        assertThat(served.ids()).containsExactlyInAnyOrderElementsOf(sample.candidates())
                .containsExactlyElementsOf(evaluated.ids());
        for (int i = 0; i < served.items().size(); i++) {
            assertThat(served.items().get(i).score()).isCloseTo(evaluated.items().get(i).score(), within(1e-6));
        }
        try (PolicyBundle bundle = PolicyBundle.load(best)) {
            assertThat(bundle.isPretrained()).isTrue();
            assertThat(bundle.chatTemplate()).isEqualTo(ChatTemplate.qwen3());
            assertThat(bundle.answerScope()).isEqualTo(dev.mllmrec.core.rec.AnswerScope.FULL_ANSWER);
            assertThatThrownBy(bundle::model).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("LoRA adapters");
        }
        CliEndToEndTest.Result export = CliEndToEndTest.run("export-onnx", "--work-dir", w.toString(), "--model",
                "grpo");
        assertThat(export.code()).isEqualTo(2);
        assertThat(export.err()).contains("LoRA adapters");

        // Constrained rollouts: every completion spells a candidate's answer line through the prefix trie.
        deleteTree(w.resolve("checkpoints/grpo"));
        deleteTree(w.resolve("grpo"));
        CliEndToEndTest.Result constrained = CliEndToEndTest.run("train-grpo", "--work-dir", w.toString(),
                "--constrain-to-candidates", "--steps", "1", "--num-generations", "4", "--prompts-per-step", "1",
                "--max-completion-tokens", "64", "--validation-samples", "2", "--validate-every", "1");
        assertThat(constrained.code()).as(constrained.err()).isZero();
        JsonNode constrainedSummary = Json.mapper().readTree(w.resolve("grpo/summary.json").toFile());
        assertThat(constrainedSummary.path("config").path("constrainToCandidates").asBoolean()).isTrue();
        assertThat(constrainedSummary.path("config").path("rankedList").asInt()).isEqualTo(1);
        JsonNode step = null;
        for (String line : Files.readAllLines(w.resolve("grpo/metrics.jsonl"))) {
            JsonNode n = Json.mapper().readTree(line);
            if (n.has("format/valid_rate")) {
                step = n;
            }
        }
        assertThat(step).isNotNull();
        assertThat(step.path("format/valid_rate").asDouble()).isEqualTo(1.0);
        assertThat(step.path("completion/truncated_fraction").asDouble()).isZero();
    }

    private static void close(Object resource) {
        try {
            ((AutoCloseable) resource).close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void thePipelineWithABaseModelRunsLoraSftAndFreeGrpo() {
        PipelineCommand p = new PipelineCommand();
        new CommandLine(p).parseArgs("--movielens", "/data/ml", "--work-dir", "/tmp/w", "--base-model", "/m/qwen3",
                "--lora-rank", "8", "--quick", "--seed", "7");
        List<String[]> stages = p.pretrainedStages("/tmp/w");
        TrainSftCommand sft = new TrainSftCommand();
        new CommandLine(sft).parseArgs(Arrays.copyOfRange(stages.get(0), 1, stages.get(0).length));
        PretrainedSftStage.Options o = sft.pretrainedOptions();
        assertThat(o.baseModel()).isEqualTo(Path.of("/m/qwen3"));
        assertThat(o.lora().rank()).isEqualTo(8);
        assertThat(o.lora().targetNames()).containsExactly("q", "k", "v", "o");
        assertThat(o.maxTrainSamples()).isEqualTo(500);
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.learningRate()).isEqualTo(2e-4);
        assertThat(o.chatTemplate()).isTrue();
        new CommandLine(p).parseArgs("--movielens", "/data/ml", "--work-dir", "/tmp/w", "--base-model", "/m/qwen3",
                "--chat-template", "none");
        TrainSftCommand plain = new TrainSftCommand();
        String[] plainSft = p.pretrainedStages("/tmp/w").get(0);
        new CommandLine(plain).parseArgs(Arrays.copyOfRange(plainSft, 1, plainSft.length));
        assertThat(plain.pretrainedOptions().chatTemplate()).isFalse();
        TrainGrpoCommand grpo = new TrainGrpoCommand();
        new CommandLine(grpo).parseArgs(Arrays.copyOfRange(stages.get(1), 1, stages.get(1).length));
        assertThat(grpo.options().config().maxSteps()).isEqualTo(8);
        assertThat(grpo.options().config().maxCompletionTokens()).isEqualTo(32);
    }
}
