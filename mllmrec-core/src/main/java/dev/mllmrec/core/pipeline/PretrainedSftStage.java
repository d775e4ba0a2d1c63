package dev.mllmrec.core.pipeline;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.Seeds;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.hf.LoraConfig;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.core.lm.sft.SftExample;
import dev.mllmrec.core.lm.sft.SftListener;
import dev.mllmrec.core.lm.sft.SftProgressListener;
import dev.mllmrec.core.lm.sft.SftResult;
import dev.mllmrec.core.lm.sft.SftTrainer;
import dev.mllmrec.core.lm.tokenizer.HfTextTokenizer;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.PolicyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised fine-tuning of a pretrained Hugging Face decoder ({@code train-sft --base-model DIR}) with LoRA: loads
 * the folder (weights, {@code config.json}, {@code tokenizer.json}), attaches adapters, and trains them alone on the
 * answers of reference-style prompts (titles; the injected reasoning where {@code augment} wrote
 * {@code W/train_sft.jsonl}), wrapped in the base's chat template where its folder has one ({@link ChatTemplate},
 * recorded in the checkpoints' {@code prompt.json} so that GRPO and evaluation use the same). Checkpoints go to {@code W/checkpoints/sft} as for the built-in policy, holding the
 * adapters (PEFT's files), the base's fingerprint and folder, the tokenizer, the optimizer and the state; a killed
 * run resumes from the newest exactly, and {@code train-grpo} continues from them.
 *
 * <p>Item-sequence pre-training and item content are the built-in policy's (they rely on one token per item); a
 * pretrained decoder reads the items' titles instead.
 *
 * <p>Not thread-safe: one run at a time per work directory.
 */
public final class PretrainedSftStage {

    private static final Logger LOG = LoggerFactory.getLogger(PretrainedSftStage.class);

    /** The largest micro-batch: a larger batch is reached by gradient accumulation. */
    static final int MICRO_BATCH = 8;

    /** Ends training after the current step once a stop is requested (SIGTERM): resumed from the checkpoint. */
    private static final SftListener STOP_ON_SIGNAL = new SftListener() {
        @Override
        public void onStep(Step step) {
            StopSignal.throwIfRequested();
        }
    };

    /**
     * Settings of a LoRA SFT run.
     *
     * @param baseModel            the Hugging Face folder ({@code config.json}, safetensors, {@code tokenizer.json})
     * @param lora                 the adapters' rank, alpha, dropout (also the training dropout) and targets
     * @param epochs               passes over the training prompts
     * @param batchSize            prompts per optimizer step (micro-batches of at most {@value #MICRO_BATCH})
     * @param learningRate         the peak learning rate (AdamW, 3% warm-up, cosine decay, clipping at 1)
     * @param seed                 the data order's and the dropout masks' seed
     * @param maxTrainSamples      the most training prompts (0: all), a seeded subset spread over every user
     * @param validationSamples    validation users ranked after each epoch (0: none)
     * @param negatives            negatives of the training windows and of validation
     * @param grpoHoldout          each user's most recent training windows left to GRPO (0: none)
     * @param maxSequenceLength    longer prompts lose tokens from the left (0: the model's context length)
     * @param checkpointEverySteps a checkpoint every so many optimizer steps (0: epoch ends only)
     * @param chatTemplate         wrap prompts in the base's chat template ({@link ChatTemplate#detect}: none when
     *                             the folder has none); false: plain prompts
     */
    public record Options(Path baseModel, LoraConfig lora, int epochs, int batchSize, double learningRate, long seed,
                          int maxTrainSamples, int validationSamples, int negatives, int grpoHoldout,
                          int maxSequenceLength, int checkpointEverySteps, boolean chatTemplate) {

        /** The options with the base's chat template applied. */
        public Options(Path baseModel, LoraConfig lora, int epochs, int batchSize, double learningRate, long seed,
                       int maxTrainSamples, int validationSamples, int negatives, int grpoHoldout,
                       int maxSequenceLength, int checkpointEverySteps) {
            this(baseModel, lora, epochs, batchSize, learningRate, seed, maxTrainSamples, validationSamples,
                    negatives, grpoHoldout, maxSequenceLength, checkpointEverySteps, true);
        }

        /** Validates. */
        public Options {
            Objects.requireNonNull(baseModel, "baseModel");
            Objects.requireNonNull(lora, "lora");
            if (epochs < 1 || batchSize < 1 || validationSamples < 0 || maxTrainSamples < 0) {
                throw new IllegalArgumentException("Epochs and the batch size must be at least 1, sample counts at "
                        + "least 0; got epochs " + epochs + ", batch " + batchSize + ", validation "
                        + validationSamples + ", max train " + maxTrainSamples + ".");
            }
        }

        /**
         * The defaults for {@code base}: {@link LoraConfig#defaults()} (rank 16, alpha 32, dropout 0.05 on q, k, v,
         * o), 1 epoch, 16 prompts per step, learning rate 2e-4, seed 42, at most 6,000 prompts, 64 validation users,
         * 9 negatives, 2 recent windows left to GRPO, the model's context length, a checkpoint every 100 steps, the
         * base's chat template.
         */
        public static Options defaults(Path base) {
            return new Options(base, LoraConfig.defaults(), 1, 16, 2e-4, 42L, 6000, 64, 9, RecentWindows.DEFAULT, 0,
                    100);
        }
    }

    private PretrainedSftStage() {
    }

    /** Runs LoRA SFT on {@code workDir} and returns the summary it also writes ({@code W/sft/summary.json}). */
    public static Map<String, Object> run(WorkDir workDir, Options options, List<? extends SftListener> listeners) {
        Path base = options.baseModel();
        Path tokenizerFile = base.resolve(SftCheckpoint.TOKENIZER_FILE);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException(base + " has no tokenizer.json: a pretrained policy needs its "
                    + "tokenizer to read the prompts.");
        }
        ChatTemplate template = options.chatTemplate() ? ChatTemplate.detect(base) : ChatTemplate.none();
        PreparedData data = PreparedData.load(workDir);
        PromptBuilder prompts = PromptBuilder.builder().setCatalog(data.catalog())
                .optStyle(PromptBuilder.Style.REFERENCE).optChatTemplate(template).build();
        List<TrainingPrompts.Entry> entries = TrainingPrompts.load(data, prompts,
                workDir.root().resolve("train_sft.jsonl"), options.negatives());
        Set<String> heldOut = RecentWindows.sampleIds(data.sequences(), options.grpoHoldout());
        if (!heldOut.isEmpty()) {
            entries = entries.stream().filter(e -> !heldOut.contains(e.sample().sampleId())).toList();
        }
        if (options.maxTrainSamples() > 0 && entries.size() > options.maxTrainSamples()) {
            List<TrainingPrompts.Entry> ranked = new ArrayList<>(entries);
            ranked.sort(Comparator.comparingLong(e -> Seeds.derive(options.seed(), e.sample().sampleId())));
            Set<String> keep = new HashSet<>();
            for (TrainingPrompts.Entry e : ranked.subList(0, options.maxTrainSamples())) {
                keep.add(e.sample().sampleId());
            }
            entries = entries.stream().filter(e -> keep.contains(e.sample().sampleId())).toList();
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("There are no SFT training prompts in " + workDir.root() + ".");
        }
        List<SftExample> examples = new ArrayList<>(entries.size());
        for (TrainingPrompts.Entry e : entries) {
            examples.add(new SftExample(e.prompt(), e.answer()));
        }
        List<RecommendationSample> validation = options.validationSamples() == 0 ? List.of()
                : data.samples(Split.VALIDATION, options.negatives()).samples();
        if (validation.size() > options.validationSamples()) {
            validation = validation.subList(0, options.validationSamples());
        }
        int micro = Math.min(MICRO_BATCH, options.batchSize());
        SftConfig config = SftConfig.builder()
                .optEpochs(options.epochs())
                .optBatchSize(micro)
                .optGradientAccumulation((options.batchSize() + micro - 1) / micro)
                .optLearningRate(options.learningRate())
                .optSeed(options.seed())
                .optDropout(options.lora().dropout())
                .optMaxSequenceLength(options.maxSequenceLength())
                .optCheckpointEverySteps(options.checkpointEverySteps())
                .build();
        Path checkpoints = workDir.checkpoints(SftStage.NAME);
        Path dir = workDir.commandDir(SftStage.NAME);
        PolicyBundle.writeStyle(checkpoints, PromptBuilder.Style.REFERENCE, template);
        final List<RecommendationSample> val = validation;
        try (HfTextTokenizer tokenizer = HfTextTokenizer.load(tokenizerFile);
             HfDecoder model = HfDecoder.load(base)) {
            if (tokenizer.vocabSize() > model.vocabSize()) {
                throw new IllegalArgumentException(tokenizerFile + " has " + tokenizer.vocabSize() + " ids but the "
                        + "model only " + model.vocabSize() + ".");
            }
            model.enableLora(options.lora());
            LOG.info("LoRA SFT: {} training prompts, {} validation samples, {} ({} trainable of {} parameters), "
                    + "chat template {}", examples.size(), val.size(), model, model.parameterCount(),
                    model.baseParameterCount(), template.name());
            SftTrainer.Builder builder = SftTrainer.builder()
                    .setModel(model)
                    .setTokenizer(tokenizer)
                    .optConfig(config)
                    .optCheckpointDir(checkpoints)
                    .optMetricsFile(dir.resolve("metrics.jsonl"))
                    .addListener(new SftProgressListener())
                    .addListener(STOP_ON_SIGNAL);
            if (!val.isEmpty()) {
                builder.optValidator((m, epoch) -> new Evaluator(64, false).evaluate(new LikelihoodRecommender(
                        SftStage.NAME, m, tokenizer, prompts, AnswerScope.FULL_ANSWER), val).metrics());
            }
            listeners.forEach(builder::addListener);
            SftResult result = builder.build().train(examples);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("policy", "pretrained");
            summary.put("base_model", base.toAbsolutePath().toString());
            summary.put("base_fingerprint", model.fingerprint());
            summary.put("model", model.signature());
            summary.put("params", result.parameters());
            summary.put("base_params", model.baseParameterCount());
            summary.put("steps", result.steps());
            summary.put("epochs", result.epochs());
            summary.put("tokens_per_second", result.tokensPerSecond());
            summary.put("train_loss", result.trainLoss());
            summary.put("validation", result.validation());
            summary.put("seconds", result.seconds());
            summary.put("resumed", result.resumed());
            summary.put("completed", result.completed());
            summary.put("prompt_style", "reference");
            summary.put("chat_template", template.name());
            summary.put("vocabulary", tokenizer.vocabSize());
            summary.put("train_prompts", examples.size());
            summary.put("grpo_holdout", options.grpoHoldout());
            summary.put("validation_samples", val.size());
            summary.put("seed", options.seed());
            summary.put("lora", Map.of("rank", options.lora().rank(), "alpha", options.lora().alpha(), "dropout",
                    options.lora().dropout(), "targets", options.lora().targetNames()));
            summary.put("sft_config", config);
            summary.put("checkpoints", checkpoints.toString());
            Json.writePretty(workDir.summary(SftStage.NAME), summary);
            return summary;
        }
    }
}
