package dev.mllmrec.grpo.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.grpo.loss.LossAggregation;
import dev.mllmrec.grpo.rollout.GrpoFixtures;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The GRPO loop on a tiny model: every parameter moves, metrics, validation and best checkpoint, exact resume. */
class DefaultGrpoTrainerTest {

    private static final WordTokenizer TOKENIZER = GrpoFixtures.tokenizer();

    private static GrpoConfig.Builder small() {
        return GrpoConfig.builder().optPromptsPerStep(2).optNumGenerations(4).optMaxCompletionTokens(6)
                .optLearningRate(1e-3).optSeed(5);
    }

    private static GrpoValidator validator() {
        List<RecommendationSample> val = GrpoFixtures.samples(4, 100);
        return new CandidateLikelihoodValidator(TOKENIZER, GrpoFixtures.prompts()::prompt, val);
    }

    @Test
    void oneStepChangesEveryParameterAndLogsMetrics(@TempDir Path dir) {
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 1); CausalLm reference = policy.copy()) {
            Map<String, float[]> before = policy.parameterValues();
            Path metrics = dir.resolve("metrics.jsonl");
            DefaultGrpoTrainer trainer = DefaultGrpoTrainer.builder().setPolicy(policy).setTokenizer(TOKENIZER)
                    .optReference(reference).optRewards(GrpoFixtures.variedRewards())
                    .optConfig(small().optMaxSteps(1).optGradientAccumulation(2).build())
                    .optMetricsFile(metrics).build();
            GrpoResult result = trainer.train(GrpoFixtures.grpoPrompts(6));
            assertThat(result.steps()).isEqualTo(1);
            assertThat(result.completed()).isTrue();
            Map<String, float[]> after = policy.parameterValues();
            for (String name : before.keySet()) {
                assertThat(after.get(name)).as("parameter %s changed", name).isNotEqualTo(before.get(name));
            }
            List<Map> lines = JsonLines.read(metrics, Map.class);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).containsKeys("step", "epoch", "reward/mean", "reward/std",
                    "rewards/recommendation/mean", "rewards/shape/std", "kl", "clip/region", "entropy",
                    "completion/mean_length", "format/valid_rate", "hit_rate", "advantage/zero_variance_groups",
                    "lr", "grad_norm", "loss", "seconds", "rollout_tokens_per_second");
            assertThat(((Number) lines.get(0).get("kl")).doubleValue()).isZero(); // policy == reference at step 1
            assertThat(((Number) lines.get(0).get("entropy")).doubleValue()).isPositive();
        }
    }

    @Test
    void rankedListStepsLogTheListCreditAndStartAtZeroKl(@TempDir Path dir) {
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 1); CausalLm reference = policy.copy()) {
            Map<String, float[]> before = policy.parameterValues();
            Path metrics = dir.resolve("metrics.jsonl");
            DefaultGrpoTrainer trainer = DefaultGrpoTrainer.builder().setPolicy(policy).setTokenizer(TOKENIZER)
                    .optReference(reference).optPromptBuilder(GrpoFixtures.prompts())
                    .optConfig(small().optMaxSteps(2).optConstrainToCandidates(true).optRankedList(3).build())
                    .optMetricsFile(metrics).build();
            GrpoResult result = trainer.train(GrpoFixtures.grpoPrompts(6));
            assertThat(result.steps()).isEqualTo(2);
            List<Map> lines = JsonLines.read(metrics, Map.class);
            Map first = lines.get(0);
            assertThat(first).containsKeys("rewards/ranked_list/mean", "list_hit_rate");
            assertThat(((Number) first.get("kl")).doubleValue()).isCloseTo(0.0, within(1e-6));
            assertThat(((Number) first.get("format/valid_rate")).doubleValue()).isEqualTo(1.0);
            double hit = ((Number) first.get("hit_rate")).doubleValue();
            double listHit = ((Number) first.get("list_hit_rate")).doubleValue();
            // Lists of 3 among 4 candidates hold the target at least as often as their first entries are it.
            assertThat(listHit).isGreaterThanOrEqualTo(hit).isGreaterThan(0.0);
            // The total is the reference reward plus the list credit.
            assertThat(((Number) first.get("reward/mean")).doubleValue()).isCloseTo(
                    ((Number) first.get("rewards/recommendation/mean")).doubleValue()
                            + ((Number) first.get("rewards/ranked_list/mean")).doubleValue(), within(1e-6));
            assertThat(policy.parameterValues().get(before.keySet().iterator().next()))
                    .isNotEqualTo(before.values().iterator().next());
        }
    }

    @Test
    void validatesKeepsTheBestCheckpointAndTrainsOnSamplesThroughTheApi(@TempDir Path dir) {
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 2)) {
            Path checkpoints = dir.resolve("checkpoints");
            DefaultGrpoTrainer trainer = DefaultGrpoTrainer.builder().setPolicy(policy).setTokenizer(TOKENIZER)
                    .optPromptBuilder(GrpoFixtures.prompts()).optRewards(GrpoFixtures.variedRewards())
                    .optConfig(small().optBeta(0).optMaxSteps(2).optValidateEverySteps(1)
                            .optLossAggregation(LossAggregation.DAPO).optPolicyUpdates(2).build())
                    .optCheckpointDir(checkpoints).optMetricsFile(dir.resolve("metrics.jsonl")).build();
            Map<String, Double> out = trainer.train(GrpoFixtures.samples(4, 0), GrpoFixtures.samples(3, 50));
            assertThat(out).containsKeys("steps", "seconds_per_step", "rollout_tokens_per_second", "final/HR@3",
                    "best/HR@3", "best/NDCG@3");
            assertThat(out.get("steps")).isEqualTo(2.0);
            Path latest = GrpoCheckpoints.find(checkpoints, GrpoCheckpoints.LATEST).orElseThrow();
            Path bestDir = GrpoCheckpoints.find(checkpoints, GrpoCheckpoints.BEST).orElseThrow();
            assertThat(latest.getFileName().toString()).isEqualTo("step-00000002");
            assertThat(Files.isRegularFile(bestDir.resolve("model.params"))).isTrue();
            assertThat(Files.isRegularFile(latest.resolve("optimizer.params"))).isTrue();
            GrpoState state = GrpoCheckpoints.readState(latest);
            assertThat(state.step()).isEqualTo(2);
            assertThat(state.optimizerSteps()).isEqualTo(4);
            assertThat(state.history().validations()).extracting(GrpoHistory.ValidationPoint::step)
                    .containsExactly(0L, 1L, 2L);
            GrpoState best = GrpoCheckpoints.readState(bestDir);
            assertThat(best.step()).isEqualTo(state.bestStep());
            assertThat(bestDir.getFileName().toString()).isEqualTo(String.format("step-%08d", state.bestStep()));
            try (CausalLm loaded = CausalLm.load(latest)) {
                assertThat(loaded.parameterValues().get("tok_emb")).isEqualTo(policy.parameterValues().get("tok_emb"));
            }
            List<Map> lines = JsonLines.read(dir.resolve("metrics.jsonl"), Map.class);
            assertThat(lines.stream().filter(l -> l.containsKey("validation")).count()).isEqualTo(3);
            assertThat(lines.stream().filter(l -> !l.containsKey("kl") && l.containsKey("loss")).count())
                    .isEqualTo(2); // beta = 0: no reference, no KL
        }
    }

    @Test
    void aNewBestAtAValidatedStepIsWrittenOnceAndBothPointersNameIt(@TempDir Path dir) {
        GrpoConfig config = small().optMaxSteps(4).optValidateEverySteps(2).optCheckpointEverySteps(1).build();
        Map<Long, List<Object>> written = new java.util.TreeMap<>();
        GrpoListener recorder = new GrpoListener() {
            @Override
            public void onCheckpoint(Path saved, String kind, long step) {
                written.computeIfAbsent(step, s -> new ArrayList<>()).add(kind + " " + fileKey(saved));
            }
        };
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            trainer(policy, reference, config, dir, recorder).train(GrpoFixtures.grpoPrompts(5));
        }
        Path checkpoints = dir.resolve("checkpoints");
        Path best = GrpoCheckpoints.find(checkpoints, GrpoCheckpoints.BEST).orElseThrow();
        Path latest = GrpoCheckpoints.find(checkpoints, GrpoCheckpoints.LATEST).orElseThrow();
        assertThat(best).isEqualTo(latest); // the last validation (step 4) is the best one
        Object key = fileKey(latest);
        // One save: both notifications see the directory that is still there (a second save would replace it).
        assertThat(written.get(4L)).containsExactly("latest " + key, "best " + key);
    }

    @Test
    void aResumeWhoseLatestCheckpointIsDamagedFallsBackToThePreviousOneAndEndsIdentical(@TempDir Path dir)
            throws Exception {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(5);
        GrpoConfig config = small().optMaxSteps(4).optValidateEverySteps(2).optCheckpointEverySteps(1).build();
        Map<String, float[]> uninterrupted;
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            trainer(policy, reference, config, dir.resolve("full"), null).train(prompts);
            uninterrupted = policy.parameterValues();
        }
        Path resumed = dir.resolve("resumed");
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            GrpoListener killer = new GrpoListener() {
                @Override
                public void onStep(Step step) {
                    if (step.step() == 4) {
                        throw new IllegalStateException("killed");
                    }
                }
            };
            DefaultGrpoTrainer first = trainer(policy, reference, config, resumed, killer);
            assertThatThrownBy(() -> first.train(prompts)).hasMessage("killed");
        }
        Path checkpoints = resumed.resolve("checkpoints");
        Path weights = checkpoints.resolve("step-00000003").resolve("model.params");
        byte[] b = Files.readAllBytes(weights);
        for (int i = b.length / 2; i < b.length / 2 + 200; i++) {
            b[i] = (byte) ~b[i];
        }
        Files.write(weights, b);
        assertThatThrownBy(() -> GrpoCheckpoints.readState(checkpoints.resolve("step-00000003")))
                .isInstanceOf(dev.mllmrec.core.CorruptCheckpointException.class)
                .hasMessageContaining(weights.toString());
        Path previous = GrpoCheckpoints.find(checkpoints, GrpoCheckpoints.LATEST).orElseThrow();
        assertThat(previous.getFileName().toString()).isEqualTo("step-00000002");
        assertThat(GrpoCheckpoints.readState(previous).step()).isEqualTo(2);
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            GrpoResult result = trainer(policy, reference, config, resumed, null).train(prompts);
            assertThat(result.resumed()).isTrue();
            assertThat(result.steps()).isEqualTo(4);
            Map<String, float[]> after = policy.parameterValues();
            for (String name : uninterrupted.keySet()) {
                assertThat(after.get(name)).as("parameter %s", name).containsExactly(uninterrupted.get(name));
            }
        }
        assertThat(GrpoCheckpoints.readState(GrpoCheckpoints.find(checkpoints, GrpoCheckpoints.LATEST).orElseThrow())
                .step()).isEqualTo(4);
    }

    @ParameterizedTest(name = "ranked list of {0}")
    @ValueSource(ints = {1, 3})
    void aRunKilledAndResumedEndsBitIdenticalToAnUninterruptedRun(int rankedList, @TempDir Path dir) {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(5);
        GrpoConfig config = small().optMaxSteps(5).optValidateEverySteps(2).optCheckpointEverySteps(1)
                .optConstrainToCandidates(rankedList > 1).optRankedList(rankedList).build();

        Map<String, float[]> uninterrupted;
        Path full = dir.resolve("full");
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            trainer(policy, reference, config, full, null).train(prompts);
            uninterrupted = policy.parameterValues();
        }

        Path resumed = dir.resolve("resumed");
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            // Dies in the middle of step 4's listeners: after its metrics line, before its checkpoint.
            GrpoListener killer = new GrpoListener() {
                @Override
                public void onStep(Step step) {
                    if (step.step() == 4) {
                        throw new IllegalStateException("killed");
                    }
                }
            };
            DefaultGrpoTrainer first = trainer(policy, reference, config, resumed, killer);
            assertThatThrownBy(() -> first.train(prompts)).hasMessage("killed");
        }
        assertThat(GrpoCheckpoints.readState(GrpoCheckpoints.find(resumed.resolve("checkpoints"), GrpoCheckpoints.LATEST).orElseThrow()).step()).isEqualTo(3);
        try (CausalLm policy = GrpoFixtures.model(TOKENIZER, 4); CausalLm reference = policy.copy()) {
            GrpoResult result = trainer(policy, reference, config, resumed, null).train(prompts);
            assertThat(result.resumed()).isTrue();
            assertThat(result.steps()).isEqualTo(5);
            Map<String, float[]> after = policy.parameterValues();
            for (String name : uninterrupted.keySet()) {
                assertThat(after.get(name)).as("parameter %s", name).containsExactly(uninterrupted.get(name));
            }
        }
        assertThat(withoutTimings(full.resolve("metrics.jsonl")))
                .isEqualTo(withoutTimings(resumed.resolve("metrics.jsonl")));
        GrpoState a = GrpoCheckpoints.readState(GrpoCheckpoints.find(full.resolve("checkpoints"), GrpoCheckpoints.LATEST).orElseThrow());
        GrpoState b = GrpoCheckpoints.readState(GrpoCheckpoints.find(resumed.resolve("checkpoints"), GrpoCheckpoints.LATEST).orElseThrow());
        assertThat(b.history()).isEqualTo(a.history());
        assertThat(b.order()).containsExactly(a.order());
        assertThat(b.bestStep()).isEqualTo(a.bestStep());
    }

    private static DefaultGrpoTrainer trainer(CausalLm policy, CausalLm reference, GrpoConfig config, Path dir,
                                              GrpoListener listener) {
        DefaultGrpoTrainer.Builder b = DefaultGrpoTrainer.builder().setPolicy(policy).setTokenizer(TOKENIZER)
                .optReference(reference).optRewards(GrpoFixtures.variedRewards()).optConfig(config)
                .optValidator(validator()).optCheckpointDir(dir.resolve("checkpoints"))
                .optMetricsFile(dir.resolve("metrics.jsonl"));
        if (listener != null) {
            b.addListener(listener);
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static List<String> withoutTimings(Path file) {
        List<String> out = new ArrayList<>();
        for (Map line : JsonLines.read(file, Map.class)) {
            Map<String, Object> copy = new LinkedHashMap<>(line);
            DefaultGrpoTrainer.TIMING_KEYS.forEach(copy::remove);
            copy.keySet().removeIf(k -> k.endsWith("_seconds"));
            out.add(Json.line(copy));
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
