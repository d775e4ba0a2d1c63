package dev.mllmrec.grpo.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.pipeline.RecentWindows;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.TrainablePolicies;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizers;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.PolicyBundle;
import dev.mllmrec.grpo.loss.LossAggregation;
import dev.mllmrec.grpo.monitor.InflationFlag;
import dev.mllmrec.grpo.monitor.RewardInflationMonitor;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import dev.mllmrec.grpo.train.CandidateLikelihoodValidator;
import dev.mllmrec.grpo.train.DefaultGrpoTrainer;
import dev.mllmrec.grpo.train.GrpoConfig;
import dev.mllmrec.grpo.train.GrpoListener;
import dev.mllmrec.grpo.train.GrpoProgressListener;
import dev.mllmrec.grpo.train.GrpoPrompts;
import dev.mllmrec.grpo.train.GrpoResult;
import dev.mllmrec.grpo.train.GrpoValidator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GRPO on a work directory: loads the policy and its tokenizer from the newest SFT checkpoint (and a second,
 * frozen copy as the KL reference), takes the training prompts from {@code W/train_grpo.jsonl} when the augment
 * step wrote it (else plain prompts over the prepared training windows), validates on the first validation samples
 * with a {@link GrpoValidator} (by default the {@link CandidateLikelihoodValidator}), watches for reward inflation,
 * and writes
 *
 * <pre>
 * W/checkpoints/grpo/step-N/, latest.json, best.json   checkpoints (resumed from latest when present)
 * W/grpo/metrics.jsonl                    one line per step and per validation
 * W/grpo/reward_vs_validation.png         training reward against validation HR, flagged steps marked
 * W/grpo/summary.json                     steps, timings, validations, reward trend, inflation flags, settings
 * </pre>
 *
 * <p>Not thread-safe: one run at a time per work directory.
 */
public final class GrpoStage {

    /** Ends training after the current step once a stop is requested (SIGTERM): resumed from the checkpoint. */
    private static final GrpoListener STOP_ON_SIGNAL = new GrpoListener() {
        @Override
        public void onStep(Step step) {
            StopSignal.throwIfRequested();
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(GrpoStage.class);

    /** The command and directory name. */
    public static final String NAME = "grpo";
    /** The augmented GRPO prompts written by the augment step. */
    public static final String AUGMENTED_FILE = "train_grpo.jsonl";
    /** The chart file name under {@code W/grpo}. */
    public static final String CHART_FILE = "reward_vs_validation.png";

    /**
     * Settings of a GRPO run.
     *
     * @param init                 the checkpoint to start from: a name under {@code W/checkpoints/} (default
     *                             {@code sft}) or a directory
     * @param config               the trainer's settings
     * @param cotProbability       the full-CoT injection probability the prompts were augmented with (recorded; the
     *                             augment step applies it when writing {@code train_grpo.jsonl})
     * @param validationSamples    the most validation samples ranked per validation (0: all)
     * @param negatives            negatives of the plain training windows and of validation
     * @param maxTrainPrompts      the most training prompts used (0: all), in file order
     * @param inflationWindow      the monitor's window in steps
     * @param inflationMinRise     the monitor's reward-rise threshold
     * @param stopAfterFlags       stop after this many consecutive inflation flags (0: never)
     * @param recentWindows        train only on each user's last {@code r} training windows, the ones
     *                             {@code train-sft --grpo-holdout r} left out (0: every training prompt); see
     *                             {@code RecentWindows}
     */
    public record Options(String init, GrpoConfig config, double cotProbability, int validationSamples,
                          int negatives, int maxTrainPrompts, int inflationWindow, double inflationMinRise,
                          int stopAfterFlags, int recentWindows) {

        /**
         * The default ranked-list length k of {@code train-grpo}. Over four GRPO seeds from the same SFT policy
         * (MovieLens, test split), lists of 3 and single answers improved on SFT alike at 9 negatives (HR@3 0.829 vs
         * 0.830, NDCG@3 0.707 vs 0.710; SFT 0.826 / 0.701), and lists did better at 99 negatives on every seed (HR@3
         * 0.346 vs 0.336 on average; SFT 0.317).
         */
        public static final int RANKED_LIST = GrpoConfig.RECOMMENDED_RANKED_LIST;

        /**
         * The defaults of {@code train-grpo}: start from {@code sft}, {@link GrpoConfig#recommended()} (600 steps,
         * learning rate 1e-4, rollouts constrained to the candidates and ranked lists of {@link #RANKED_LIST}
         * candidates), every validation sample, the 2 most recent training windows of each user.
         */
        public static Options defaults() {
            return new Options("sft", GrpoConfig.recommended(),
                    0.05, 0, 9, 0, 50, 0.1, 0,
                    RecentWindows.DEFAULT);
        }
    }

    private GrpoStage() {
    }

    /** The directory of the checkpoint to start from. */
    public static Path initCheckpoint(WorkDir workDir, String init) {
        boolean isPath = init.contains("/") || init.contains(java.io.File.separator);
        Path root = isPath ? Path.of(init) : workDir.checkpoints(init);
        if (Files.isRegularFile(root.resolve(CausalLm.WEIGHTS_FILE)) || TrainablePolicies.isAdapterCheckpoint(root)) {
            return root;
        }
        Optional<Path> latest = SftCheckpoint.latest(root);
        if (latest.isEmpty()) {
            throw new IllegalArgumentException("No checkpoint to start GRPO from under " + root
                    + "; run train-sft first (or pass --init with a checkpoint directory).");
        }
        return latest.get();
    }

    /** Runs GRPO on {@code workDir} and returns the summary it also writes. */
    public static Map<String, Object> run(WorkDir workDir, Options options, GrpoValidator validator) {
        return run(workDir, options, validator, List.of());
    }

    /**
     * Runs GRPO on {@code workDir} and returns the summary it also writes; {@code listeners} hear every step and
     * validation.
     *
     * @param validator the validator, or {@code null} for the {@link CandidateLikelihoodValidator}
     */
    public static Map<String, Object> run(WorkDir workDir, Options options, GrpoValidator validator,
                                          List<? extends GrpoListener> listeners) {
        return run(workDir, options, validator, listeners, null);
    }

    /**
     * Runs GRPO on {@code workDir} and returns the summary it also writes. The SFT checkpoint decides the kind of
     * policy: the built-in model, or LoRA adapters of a pretrained decoder, trained further on that base.
     *
     * @param validator the validator, or {@code null} for the {@link CandidateLikelihoodValidator}
     * @param baseModel the base folder of a LoRA checkpoint, or {@code null} for the one the checkpoint records
     */
    public static Map<String, Object> run(WorkDir workDir, Options options, GrpoValidator validator,
                                          List<? extends GrpoListener> listeners, Path baseModel) {
        PreparedData data = PreparedData.load(workDir);
        Path init = initCheckpoint(workDir, options.init());
        // The policy answers prompts in the style it was fine-tuned on (recorded beside the SFT checkpoints).
        // A pretrained base's prompts are wrapped in the chat template its SFT run recorded (none for the built-in).
        PromptBuilder.Style style = PolicyBundle.readStyle(init);
        ChatTemplate chatTemplate = PolicyBundle.readChatTemplate(init);
        PromptBuilder promptBuilder = PromptBuilder.builder().setCatalog(data.catalog()).optStyle(style)
                .optChatTemplate(chatTemplate).build();
        Path augmented = workDir.root().resolve(AUGMENTED_FILE);
        boolean useAugmented = Files.isRegularFile(augmented);
        List<GrpoPrompt> prompts = useAugmented ? GrpoPrompts.fromAugmentedFile(augmented, promptBuilder)
                : GrpoPrompts.fromSamples(data.samples(Split.TRAIN, options.negatives()).samples(), promptBuilder);
        if (options.recentWindows() > 0) {
            Set<String> recent = RecentWindows.sampleIds(data.sequences(), options.recentWindows());
            prompts = prompts.stream().filter(p -> recent.contains(p.sample().sampleId())).toList();
            LOG.info("GRPO trains on the {} most recent training windows of each user: {} prompts.",
                    options.recentWindows(), prompts.size());
        }
        if (options.maxTrainPrompts() > 0 && prompts.size() > options.maxTrainPrompts()) {
            prompts = prompts.subList(0, options.maxTrainPrompts());
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("There are no GRPO training prompts in " + workDir.root() + ".");
        }
        Set<String> kept = new HashSet<>();
        prompts.forEach(p -> kept.add(p.sample().sampleId()));
        Map<String, Long> granularity = useAugmented ? granularities(augmented, kept)
                : Map.of("plain", (long) prompts.size());
        if (!useAugmented && options.cotProbability() > 0) {
            LOG.info("No {} in {}: training on plain prompts (run augment to inject reasoning with probability {}).",
                    AUGMENTED_FILE, workDir.root(), options.cotProbability());
        }
        List<RecommendationSample> validation = data.samples(Split.VALIDATION, options.negatives()).samples();
        if (options.validationSamples() > 0 && validation.size() > options.validationSamples()) {
            validation = validation.subList(0, options.validationSamples());
        }

        Path dir = workDir.commandDir(NAME);
        Path checkpoints = workDir.checkpoints(NAME);
        PolicyBundle.writeStyle(checkpoints, style, chatTemplate);
        GrpoConfig config = options.config();
        RewardInflationMonitor monitor = RewardInflationMonitor.builder()
                .optWindowSteps(options.inflationWindow())
                .optMinRewardRise(options.inflationMinRise())
                .optMetric(config.selectionMetric())
                .optStopAfterFlags(options.stopAfterFlags())
                .optChartFile(dir.resolve(CHART_FILE))
                .build();
        try (TextTokenizer tokenizer = TextTokenizers.load(init.resolve(SftCheckpoint.TOKENIZER_FILE));
             TrainablePolicy policy = TrainablePolicies.load(init, baseModel);
             PolicyModel reference = config.beta() <= 0 ? null
                     // LoRA on a pretrained base: the reference shares the frozen base (one copy of it in memory)
                     // and keeps the SFT adapters as they are at the start.
                     : policy instanceof HfDecoder hf && hf.loraConfig() != null ? hf.frozenView()
                     : TrainablePolicies.load(init, baseModel)) {
            GrpoValidator v = validator != null ? validator
                    : new CandidateLikelihoodValidator(tokenizer, promptBuilder::prompt, validation);
            LOG.info("GRPO: {} training prompts ({}), {} validation samples, policy {} from {}", prompts.size(),
                    useAugmented ? AUGMENTED_FILE : "plain prompts", validation.size(), policy.signature(), init);
            DefaultGrpoTrainer.Builder builder = DefaultGrpoTrainer.builder()
                    .setPolicy(policy)
                    .setTokenizer(tokenizer)
                    .optReference(reference)
                    .optConfig(config)
                    .optPromptBuilder(promptBuilder)
                    .optValidator(v)
                    .optCheckpointDir(checkpoints)
                    .optMetricsFile(dir.resolve("metrics.jsonl"))
                    .addProvenance("init", init.toString())
                    .addProvenance("prompts", useAugmented ? augmented.toString() : "plain")
                    .addListener(monitor)
                    .addListener(new GrpoProgressListener())
                    .addListener(STOP_ON_SIGNAL);
            listeners.forEach(builder::addListener);
            DefaultGrpoTrainer trainer = builder.build();
            GrpoResult result = trainer.train(prompts);
            Map<String, Object> summary = summary(result, monitor, options, policy, prompts.size(),
                    validation.size(), useAugmented, granularity, init, checkpoints, dir);
            summary.put("chat_template", chatTemplate.name());
            Json.writePretty(workDir.summary(NAME), summary);
            return summary;
        }
    }

    private static Map<String, Object> summary(GrpoResult result, RewardInflationMonitor monitor, Options options,
                                               TrainablePolicy policy, int prompts, int validationSamples,
                                               boolean augmented, Map<String, Long> granularity, Path init,
                                               Path checkpoints, Path dir) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("steps", result.steps());
        s.put("total_steps", result.totalSteps());
        s.put("seconds", result.seconds());
        s.put("seconds_per_step", result.secondsPerStep());
        s.put("rollout_tokens_per_second", result.rolloutTokensPerSecond());
        s.put("final_validation", result.finalValidation());
        s.put("best_validation", result.bestValidation());
        s.put("best_step", result.bestStep());
        Map<String, Object> trend = new LinkedHashMap<>();
        trend.put("start", finite(result.rewardStart()));
        trend.put("end", finite(result.rewardEnd()));
        trend.put("change", finite(result.rewardEnd() - result.rewardStart()));
        s.put("reward_trend", trend);
        List<Map<String, Object>> flags = new ArrayList<>();
        for (InflationFlag f : monitor.flags()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", f.step());
            m.put("reference_step", f.referenceStep());
            m.put("reward_rise", f.rewardRise());
            m.put("metric_change", f.metricChange());
            m.put("message", f.message());
            flags.add(m);
        }
        s.put("inflation_flags", flags);
        s.put("inflation_monitor", monitor.settings());
        s.put("completed", result.completed());
        s.put("stop_reason", result.stopReason());
        s.put("resumed", result.resumed());
        s.put("params", result.parameters());
        s.put("model", policy.signature());
        s.put("init", init.toString());
        s.put("train_prompts", prompts);
        s.put("prompt_source", augmented ? AUGMENTED_FILE : "plain");
        s.put("recent_windows", options.recentWindows());
        s.put("prompt_granularity", granularity);
        s.put("cot_probability", options.cotProbability());
        s.put("validation_samples", validationSamples);
        s.put("negatives", options.negatives());
        s.put("seed", options.config().seed());
        s.put("config", options.config());
        s.put("checkpoints", checkpoints.toString());
        s.put("metrics", dir.resolve("metrics.jsonl").toString());
        s.put("chart", dir.resolve(CHART_FILE).toString());
        return s;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** The granularity counts of the lines of {@code file} whose sample is one of {@code kept}. */
    private static Map<String, Long> granularities(Path file, Set<String> kept) {
        Map<String, Long> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = Json.mapper().readTree(line);
                if (!kept.contains(n.path("sampleId").asText())) {
                    continue;
                }
                out.merge(n.path("granularity").asText("unknown").toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The loss aggregation named on a command line: {@code grpo}, {@code dapo} or {@code dr_grpo}. */
    public static LossAggregation parseLoss(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (t) {
            case "grpo" -> LossAggregation.GRPO;
            case "dapo" -> LossAggregation.DAPO;
            case "dr_grpo" -> LossAggregation.DR_GRPO;
            default -> throw new IllegalArgumentException("Unknown loss '" + text + "'; expected grpo, dapo or "
                    + "dr_grpo.");
        };
    }
}
