package dev.mllmrec.core.pipeline;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.content.ItemContent;
import dev.mllmrec.core.content.ItemContentSource;
import dev.mllmrec.core.Seeds;
import dev.mllmrec.core.data.NegativeSampler;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.eval.TargetBuckets;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.sft.AnswerEnd;
import dev.mllmrec.core.lm.sft.BestEpochKeeper;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.core.lm.sft.SftExample;
import dev.mllmrec.core.lm.sft.SftListener;
import dev.mllmrec.core.lm.sft.SftProgressListener;
import dev.mllmrec.core.lm.sft.SftResult;
import dev.mllmrec.core.lm.sft.SftTrainer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizers;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.PolicyBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised fine-tuning of the policy on a work directory: builds the word-level tokenizer from the training
 * prompts (one token per catalog item), creates the model from a preset, trains on the answers (resuming from
 * {@code W/checkpoints/sft} when a checkpoint is there), validates with the likelihood recommender after every
 * epoch, and writes {@code W/sft/summary.json} and {@code W/sft/metrics.jsonl}.
 *
 * <p>Not thread-safe: one run at a time per work directory.
 */
public final class SftStage {

    /** Ends training after the current step once a stop is requested (SIGTERM): resumed from the checkpoint. */
    private static final SftListener STOP_ON_SIGNAL = new SftListener() {
        @Override
        public void onStep(Step step) {
            StopSignal.throwIfRequested();
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(SftStage.class);

    /** The command and directory name. */
    public static final String NAME = "sft";

    /**
     * Settings of an SFT run.
     *
     * @param preset            the model size ({@code tiny}, {@code mini}, {@code small}, {@code base})
     * @param epochs            passes over the training prompts
     * @param batchSize         prompts per optimizer step
     * @param learningRate      the (constant) learning rate of the prompt phase (pre-training uses
     *                          {@link Options#SEQUENCE_LEARNING_RATE})
     * @param seed              seeds the model, the data order and dropout-free sampling
     * @param maxTrainSamples   the most training prompts used (0: all), taken in file order
     * @param validationSamples the most validation users ranked after each epoch (0: all)
     * @param negatives         negatives of the training windows and of validation
     * @param style             the prompt style (compact by default for the built-in policy)
     * @param sequenceEpochs    passes of item-sequence pre-training before the prompts (0: none); see
     *                          {@link ItemSequenceWindows}
     * @param dropout           the dropout rate of both training phases
     * @param grpoHoldout       the most recent training windows of each user left out for GRPO (0: none); see
     *                          {@link RecentWindows}
     * @param keepBestSequenceEpoch continue from the pre-training epoch with the best validation HR@3 instead of
     *                          the last one ({@link BestEpochKeeper})
     * @param content           what the item tokens' content vectors are made of ({@code null}: none); see
     *                          {@link ItemContentSource}
     * @param contentEncoder    the sentence encoder of the content texts: {@code minilm} or {@code tfidf}
     *                          ({@code null}: minilm)
     */
    public record Options(String preset, int epochs, int batchSize, double learningRate, long seed,
                          int maxTrainSamples, int validationSamples, int negatives, PromptBuilder.Style style,
                          int sequenceEpochs, double dropout, int grpoHoldout, boolean keepBestSequenceEpoch,
                          ItemContentSource content, String contentEncoder) {

        /** Fills the optional components' defaults. */
        public Options {
            if (content == null) {
                content = ItemContentSource.NONE;
            }
            if (contentEncoder == null) {
                contentEncoder = "minilm";
            }
        }

        /** Items per pre-training window (the history length plus the target, as in the prompts). */
        public static final int SEQUENCE_WINDOW = 10;
        /** Items between the ends of consecutive pre-training windows. */
        public static final int SEQUENCE_STRIDE = 5;
        /** Pre-training windows per optimizer step (SASRec's batch). */
        public static final int SEQUENCE_BATCH = 128;
        /** The pre-training's learning rate (constant; see {@code sasRecOptimizer}). */
        public static final double SEQUENCE_LEARNING_RATE = 1e-3;

        /**
         * The defaults: the mini preset, 50 pre-training epochs (the last one kept), then 3 epochs over a seeded
         * subset of 6,000 prompts with the pre-training windows replayed, batch 128, learning rate 1e-3, dropout 0.3,
         * seed 42, compact prompts, 2 recent windows per user left to GRPO.
         */
        public static Options defaults() {
            return new Options("mini", 3, 128, 1e-3, 42L, 6000, 0, 9, PromptBuilder.Style.COMPACT, 50, 0.3,
                    RecentWindows.DEFAULT, false, ItemContentSource.NONE, "minilm");
        }

        /** These options with {@code n} pre-training epochs. */
        public Options withSequenceEpochs(int n) {
            return toBuilder().optSequenceEpochs(n).build();
        }

        /** These options with item content from {@code source}. */
        public Options withContent(ItemContentSource source) {
            return toBuilder().optContent(source).build();
        }

        /** These options with content encoder {@code name} (for example {@code minilm+facets}). */
        public Options withContentEncoder(String name) {
            return toBuilder().optContentEncoder(name).build();
        }

        /** A builder holding {@link #defaults()}. */
        public static Builder builder() {
            return defaults().toBuilder();
        }

        /** A builder holding these options, to change some of them. */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.preset = preset;
            b.epochs = epochs;
            b.batchSize = batchSize;
            b.learningRate = learningRate;
            b.seed = seed;
            b.maxTrainSamples = maxTrainSamples;
            b.validationSamples = validationSamples;
            b.negatives = negatives;
            b.style = style;
            b.sequenceEpochs = sequenceEpochs;
            b.dropout = dropout;
            b.grpoHoldout = grpoHoldout;
            b.keepBestSequenceEpoch = keepBestSequenceEpoch;
            b.content = content;
            b.contentEncoder = contentEncoder;
            return b;
        }

        /** Builds {@link Options}; every setting starts from {@link #defaults()} (or the options it came from). */
        public static final class Builder {
            private String preset;
            private int epochs;
            private int batchSize;
            private double learningRate;
            private long seed;
            private int maxTrainSamples;
            private int validationSamples;
            private int negatives;
            private PromptBuilder.Style style;
            private int sequenceEpochs;
            private double dropout;
            private int grpoHoldout;
            private boolean keepBestSequenceEpoch;
            private ItemContentSource content;
            private String contentEncoder;

            private Builder() {
            }

            /** The model preset ({@code tiny}, {@code mini}, {@code small}, {@code base}). */
            public Builder optPreset(String value) {
                preset = value;
                return this;
            }

            /** Passes over the training prompts. */
            public Builder optEpochs(int value) {
                epochs = value;
                return this;
            }

            /** Prompts per optimizer step. */
            public Builder optBatchSize(int value) {
                batchSize = value;
                return this;
            }

            /** The prompt phase's learning rate. */
            public Builder optLearningRate(double value) {
                learningRate = value;
                return this;
            }

            /** The seed of the model, the data order and dropout. */
            public Builder optSeed(long value) {
                seed = value;
                return this;
            }

            /** The most training prompts used (0: all). */
            public Builder optMaxTrainSamples(int value) {
                maxTrainSamples = value;
                return this;
            }

            /** The most validation users ranked after each epoch (0: all). */
            public Builder optValidationSamples(int value) {
                validationSamples = value;
                return this;
            }

            /** Negatives of the training windows and of validation. */
            public Builder optNegatives(int value) {
                negatives = value;
                return this;
            }

            /** The prompt style. */
            public Builder optStyle(PromptBuilder.Style value) {
                style = value;
                return this;
            }

            /** Passes of item-sequence pre-training before the prompts (0: none). */
            public Builder optSequenceEpochs(int value) {
                sequenceEpochs = value;
                return this;
            }

            /** The dropout rate of both phases. */
            public Builder optDropout(double value) {
                dropout = value;
                return this;
            }

            /** The most recent training windows of each user left to GRPO (0: none). */
            public Builder optGrpoHoldout(int value) {
                grpoHoldout = value;
                return this;
            }

            /** Continue from the best pre-training epoch instead of the last. */
            public Builder optKeepBestSequenceEpoch(boolean value) {
                keepBestSequenceEpoch = value;
                return this;
            }

            /** What the item tokens' content vectors are made of. */
            public Builder optContent(ItemContentSource value) {
                content = value;
                return this;
            }

            /** The content texts' sentence encoder ({@code minilm}, {@code tfidf}, {@code minilm+facets}, ...). */
            public Builder optContentEncoder(String value) {
                contentEncoder = value;
                return this;
            }

            /** The options. */
            public Options build() {
                return new Options(preset, epochs, batchSize, learningRate, seed, maxTrainSamples,
                        validationSamples, negatives, style, sequenceEpochs, dropout, grpoHoldout,
                        keepBestSequenceEpoch, content, contentEncoder);
            }
        }
    }

    /** The checkpoint directory name of item-sequence pre-training ({@code W/checkpoints/sft-sequence}). */
    public static final String SEQUENCE_NAME = "sft-sequence";
    /** Uniform negatives per target of the pre-training's sampled softmax. */
    static final int SEQUENCE_NEGATIVES = Integer.getInteger("mllmrec.sft.sequenceNegatives", 9);
    /** Uniform negatives per item target of the windows replayed during the prompt phase. */
    static final int REPLAY_NEGATIVES = Integer.getInteger("mllmrec.sft.replayNegatives", 9);
    /**
     * Uniform draws of the shared sampled softmax that the separators between a window's item tokens get
     * ({@link SftConfig#textNegatives()}): their cost no longer grows with the vocabulary (at 40,000 tokens the full
     * softmax over them was most of a pre-training step), and the separator is always the right answer there.
     */
    public static final int SEQUENCE_TEXT_NEGATIVES = 1024;

    /**
     * The share of training prompts whose candidate list is widened to {@link #WIDE_CANDIDATES} with extra uniform
     * negatives, so that the policy also ranks long candidate lists (99 negatives) it would otherwise never see.
     */
    static final double WIDE_FRACTION = 0.2;
    /** Candidates of a widened training prompt (the target and 99 negatives). */
    static final int WIDE_CANDIDATES = 100;

    private SftStage() {
    }

    /**
     * The sample's candidates plus uniform negatives up to {@code size} (never the history, the target or a
     * candidate already there: the prepared samples' rule), in a seeded random order.
     */
    static List<Integer> widen(RecommendationSample sample, int[] pool, int size, SplittableRandom rnd) {
        Set<Integer> excluded = new HashSet<>(sample.history());
        excluded.addAll(sample.candidates());
        excluded.add(sample.target());
        int extra = Math.max(0, Math.min(size - sample.candidates().size(), pool.length - excluded.size()));
        List<Integer> out = new ArrayList<>(sample.candidates());
        out.addAll(NegativeSampler.draw(pool, excluded, extra, rnd));
        for (int i = out.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Integer t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }

    /** Runs SFT on {@code workDir} and returns the summary it also writes. */
    public static Map<String, Object> run(WorkDir workDir, Options options) {
        return run(workDir, options, List.of());
    }

    /**
     * Runs SFT on {@code workDir} and returns the summary it also writes; {@code listeners} hear both phases
     * (item-sequence pre-training, then the prompts: each phase starts with {@link SftListener#onTrainingStart}).
     */
    public static Map<String, Object> run(WorkDir workDir, Options options, List<? extends SftListener> listeners) {
        PreparedData data = PreparedData.load(workDir);
        Path checkpoints = workDir.checkpoints(NAME);
        PromptBuilder.Style style = SftCheckpoint.latest(checkpoints).isPresent()
                ? PolicyBundle.readStyle(checkpoints) : options.style();
        if (style != options.style()) {
            LOG.warn("Resuming an SFT run trained on {} prompts; keeping that style.", style);
        }
        PromptBuilder prompts = PromptBuilder.builder().setCatalog(data.catalog()).optStyle(style).build();
        List<TrainingPrompts.Entry> entries = TrainingPrompts.load(data, prompts,
                workDir.root().resolve("train_sft.jsonl"), options.negatives());
        // The vocabulary comes from every training prompt, whatever subset is trained on.
        List<TrainingPrompts.Entry> allEntries = entries;
        Set<String> heldOut = RecentWindows.sampleIds(data.sequences(), options.grpoHoldout());
        if (!heldOut.isEmpty()) {
            entries = entries.stream().filter(e -> !heldOut.contains(e.sample().sampleId())).toList();
            LOG.info("SFT leaves the {} most recent training windows of each user ({} prompts) to GRPO.",
                    options.grpoHoldout(), allEntries.size() - entries.size());
        }
        if (options.maxTrainSamples() > 0 && entries.size() > options.maxTrainSamples()) {
            // A seeded subset spread over every user (the files are in user order), kept in file order.
            List<TrainingPrompts.Entry> ranked = new ArrayList<>(entries);
            ranked.sort(Comparator.comparingLong(
                    e -> Seeds.derive(options.seed(), e.sample().sampleId())));
            Set<String> keep = new HashSet<>();
            for (TrainingPrompts.Entry e : ranked.subList(0, options.maxTrainSamples())) {
                keep.add(e.sample().sampleId());
            }
            entries = entries.stream().filter(e -> keep.contains(e.sample().sampleId())).toList();
        }
        List<SftExample> examples = new ArrayList<>(entries.size());
        int[] pool = data.catalog().ids();
        int wide = 0;
        for (TrainingPrompts.Entry e : entries) {
            SplittableRandom rnd = new SplittableRandom(Seeds.derive(options.seed(), "wide:" + e.sample().sampleId()));
            if (style != PromptBuilder.Style.SEQUENCE && rnd.nextDouble() < WIDE_FRACTION) {
                List<Integer> candidates = widen(e.sample(), pool, WIDE_CANDIDATES, rnd);
                examples.add(new SftExample(prompts.prompt(e.sample().history(), candidates, e.reasoning()),
                        e.answer()));
                wide++;
            } else {
                examples.add(new SftExample(e.prompt(), e.answer()));
            }
        }
        int promptCount = examples.size();
        // Replay: the pre-training windows stay in the prompt phase, so that the prompts' format is learnt without
        // the pre-trained next-item prediction drifting (validation HR@3 0.807 -> 0.835 at 9 negatives and
        // 0.370 -> 0.386 at 99 against prompts alone; prompts alone lost what pre-training had reached).
        List<SftExample> replay = options.sequenceEpochs() > 0 ? sequenceWindows(data, options) : List.of();
        examples.addAll(replay);
        List<RecommendationSample> validation = data.samples(Split.VALIDATION, options.negatives()).samples();
        if (options.validationSamples() > 0 && validation.size() > options.validationSamples()) {
            validation = validation.subList(0, options.validationSamples());
        }

        Optional<Path> latest = SftCheckpoint.latest(checkpoints);
        // A resumed run keeps the vocabulary its checkpoints were written with (prompt SFT's, else pre-training's).
        Optional<Path> vocabularyFrom = latest.isPresent() ? latest
                : options.sequenceEpochs() > 0 ? SftCheckpoint.latest(workDir.checkpoints(SEQUENCE_NAME))
                : Optional.empty();
        TextTokenizer tokenizer;
        if (vocabularyFrom.isPresent()) {
            tokenizer = TextTokenizers.load(vocabularyFrom.get().resolve(SftCheckpoint.TOKENIZER_FILE));
        } else {
            List<String> texts = new ArrayList<>(allEntries.size() * 2 + data.catalog().size());
            for (TrainingPrompts.Entry e : allEntries) {
                texts.add(e.prompt());
                texts.add(e.answer());
            }
            for (Item item : data.catalog().items()) {
                texts.add(prompts.itemLine(item.id()));
            }
            List<Integer> ids = data.catalog().items().stream().map(Item::id).toList();
            tokenizer = WordTokenizer.builder().setTexts(texts).optItemIds(ids).optMinFrequency(2).build();
        }
        LmConfig lmConfig = LmConfig.Preset.of(options.preset()).config(tokenizer.vocabSize());
        float[] contentVectors = null;
        int[] untrained = new int[0];
        if (options.content() != ItemContentSource.NONE) {
            ItemContent content = ItemContent.build(workDir, data.catalog(), tokenizer, options.content(),
                    options.contentEncoder(), options.seed());
            lmConfig = lmConfig.withContent(content.shape());
            contentVectors = content.vectors();
            untrained = untrainedItemTokens(data, tokenizer);
            LOG.info("{} of {} catalog items have no training interaction: served by their content (cold start).",
                    untrained.length, data.catalog().size());
        }
        SftConfig sftConfig = SftConfig.recommendedBuilder()
                .optEpochs(options.epochs())
                .optBatchSize(options.batchSize())
                .optLearningRate(options.learningRate())
                .optSeed(options.seed())
                .optDropout(options.dropout())
                .optSampledNegatives(REPLAY_NEGATIVES)
                .optTextNegatives(SEQUENCE_TEXT_NEGATIVES)
                .build();
        LOG.info("SFT: {} training prompts and {} replayed windows, {} validation samples, vocabulary {}, model {}",
                promptCount, replay.size(), validation.size(), tokenizer.vocabSize(), lmConfig);

        final List<RecommendationSample> val = validation;
        Path dir = workDir.commandDir(NAME);
        PolicyBundle.writeStyle(checkpoints, style);
        try (CausalLm model = contentVectors == null ? CausalLm.create(lmConfig, options.seed())
                : CausalLm.create(lmConfig, options.seed(), contentVectors, untrained)) {
            Map<String, Object> pretraining = null;
            if (options.sequenceEpochs() > 0 && latest.isEmpty()) {
                pretraining = pretrain(workDir, data, model, tokenizer, options, val, replay, listeners);
            }
            SftTrainer.Builder builder = SftTrainer.builder()
                    .setModel(model)
                    .setTokenizer(tokenizer)
                    .optConfig(sftConfig)
                    .optNegativePool(itemTokens(data, tokenizer))
                    .optCheckpointDir(checkpoints)
                    .optMetricsFile(dir.resolve("metrics.jsonl"))
                    .optValidator((m, epoch) -> validate(m, tokenizer, prompts, val))
                    .addListener(new SftProgressListener())
                    .addListener(STOP_ON_SIGNAL);
            listeners.forEach(builder::addListener);
            SftTrainer trainer = builder.build();
            SftResult result = trainer.train(examples);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("params", result.parameters());
            summary.put("steps", result.steps());
            summary.put("epochs", result.epochs());
            summary.put("tokens_per_second", result.tokensPerSecond());
            summary.put("train_loss", result.trainLoss());
            Map<String, Double> v = new LinkedHashMap<>();
            for (String k : List.of("HR@1", "HR@3", "NDCG@3")) {
                v.put(k, result.validation().getOrDefault(k, Double.NaN));
            }
            summary.put("validation", v);
            summary.put("seconds", result.seconds());
            if (pretraining != null) {
                summary.put("sequence_pretraining", pretraining);
            }
            summary.put("resumed", result.resumed());
            summary.put("completed", result.completed());
            summary.put("preset", lmConfig.preset());
            summary.put("prompt_style", style.name().toLowerCase(java.util.Locale.ROOT));
            summary.put("item_content", options.content().id());
            summary.put("model", lmConfig.toString());
            summary.put("vocabulary", tokenizer.vocabSize());
            summary.put("train_prompts", promptCount);
            summary.put("replayed_windows", replay.size());
            summary.put("wide_prompts", wide);
            summary.put("grpo_holdout", options.grpoHoldout());
            summary.put("validation_samples", val.size());
            summary.put("seed", options.seed());
            summary.put("options", options);
            summary.put("checkpoints", checkpoints.toString());
            Json.writePretty(workDir.summary(NAME), summary);
            return summary;
        } finally {
            tokenizer.close();
        }
    }

    /**
     * Item-sequence pre-training of {@code model} in place (resuming from {@code W/checkpoints/sft-sequence}); its
     * validation ranks the candidates by the next-item likelihood after the history alone.
     */
    private static Map<String, Object> pretrain(WorkDir workDir, PreparedData data, CausalLm model,
                                                TextTokenizer tokenizer, Options options,
                                                List<RecommendationSample> validation, List<SftExample> windows,
                                                List<? extends SftListener> listeners) {
        SftConfig config = SftConfig.recommendedBuilder()
                .optEpochs(options.sequenceEpochs())
                .optBatchSize(Options.SEQUENCE_BATCH)
                .optLearningRate(Options.SEQUENCE_LEARNING_RATE)
                .optAnswerEnd(AnswerEnd.NONE)
                .optSeed(Seeds.derive(options.seed(), SEQUENCE_NAME))
                .optDropout(options.dropout())
                .optSampledNegatives(SEQUENCE_NEGATIVES)
                .optTextNegatives(SEQUENCE_TEXT_NEGATIVES)
                .build();
        int[] pool = itemTokens(data, tokenizer);
        PromptBuilder sequencePrompts = PromptBuilder.builder().setCatalog(data.catalog())
                .optStyle(PromptBuilder.Style.SEQUENCE).build();
        LOG.info("SFT pre-training on {} item-sequence windows ({} epochs)", windows.size(), options.sequenceEpochs());
        BestEpochKeeper keeper = new BestEpochKeeper(model, workDir.checkpoints(SEQUENCE_NAME).resolve("best"),
                "HR@3", "NDCG@3");
        SftTrainer.Builder builder = SftTrainer.builder()
                .setModel(model)
                .setTokenizer(tokenizer)
                .optConfig(config)
                .optCheckpointDir(workDir.checkpoints(SEQUENCE_NAME))
                .optNegativePool(pool)
                .optMetricsFile(workDir.commandDir(NAME).resolve("sequence-metrics.jsonl"))
                .optValidator((m, epoch) -> validate(m, tokenizer, sequencePrompts, validation))
                .addListener(new SftProgressListener())
                .addListener(STOP_ON_SIGNAL)
                .addListener(keeper);
        listeners.forEach(builder::addListener);
        SftTrainer trainer = builder.build();
        SftResult result = trainer.train(windows);
        Optional<BestEpochKeeper.Best> best = options.keepBestSequenceEpoch() ? keeper.restore() : keeper.best();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windows", windows.size());
        out.put("epochs", result.epochs());
        out.put("steps", result.steps());
        out.put("tokens_per_second", result.tokensPerSecond());
        out.put("train_loss", result.trainLoss());
        out.put("validation", result.validation());
        best.ifPresent(b -> {
            out.put("best_epoch", b.epoch() + 1); // counted from 1, as "epochs" and SASRec's best_epoch are
            out.put("best_validation", b.validation());
            out.put("kept", options.keepBestSequenceEpoch() ? "best" : "last");
        });
        out.put("seconds", result.seconds());
        out.put("resumed", result.resumed());
        return out;
    }

    /**
     * The item tokens of catalog items that occur in no user's training prefix ({@link TargetBuckets#trainingCounts}),
     * ascending: the policy serves them by their content ({@link CausalLm#UNTRAINED_ITEMS}).
     */
    static int[] untrainedItemTokens(PreparedData data, TextTokenizer tokenizer) {
        java.util.Map<Integer, Integer> counts = TargetBuckets.trainingCounts(data.sequences());
        return java.util.Arrays.stream(data.catalog().ids())
                .filter(id -> counts.getOrDefault(id, 0) == 0)
                .map(tokenizer::itemTokenId)
                .sorted()
                .toArray();
    }

    /** Each user's SFT prefix cut into pre-training windows. */
    private static List<SftExample> sequenceWindows(PreparedData data, Options options) {
        return ItemSequenceWindows.examples(RecentWindows.sftPrefixes(data.sequences(), options.grpoHoldout()),
                Options.SEQUENCE_WINDOW, Options.SEQUENCE_STRIDE);
    }

    /** The token ids of the catalog's items: the pool of sampled-softmax negatives. */
    private static int[] itemTokens(PreparedData data, TextTokenizer tokenizer) {
        return data.catalog().items().stream().mapToInt(i -> tokenizer.itemTokenId(i.id())).filter(t -> t >= 0)
                .toArray();
    }

    /** HR@K and NDCG@K of the likelihood recommender over {@code model} on {@code samples}. */
    static Map<String, Double> validate(PolicyModel model, TextTokenizer tokenizer, PromptBuilder prompts,
                                        List<RecommendationSample> samples) {
        LikelihoodRecommender rec = new LikelihoodRecommender(NAME, model, tokenizer, prompts,
                AnswerScope.ITEM_TOKEN);
        Evaluation e = new Evaluator(64, false).evaluate(rec, samples);
        return e.metrics();
    }
}
