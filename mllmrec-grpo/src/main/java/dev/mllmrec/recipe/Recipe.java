package dev.mllmrec.recipe;

import dev.mllmrec.core.Seeds;
import dev.mllmrec.core.content.ItemContent;
import dev.mllmrec.core.content.ItemContentSource;
import dev.mllmrec.core.data.PrepareConfig;
import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.core.pipeline.RecentWindows;
import dev.mllmrec.core.pipeline.SftStage;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.grpo.pipeline.GrpoStage;
import dev.mllmrec.grpo.train.GrpoConfig;
import java.util.Objects;

/**
 * Every setting of a training run, from the data preparation to GRPO: the {@code pipeline} command runs
 * {@link #recommended()} (or {@link #quick()} with {@code --quick}), and {@link MllmRec} runs whichever recipe it is
 * given. Immutable; change one part with the {@code with...} methods.
 *
 * @param seed            the one seed of the run (samples, augmentation, model, data order, rollouts)
 * @param history         the items of history in every prompt
 * @param minInteractions users with fewer items are left out
 * @param reasoning       how the chain-of-thought training data is built, assessed and injected
 * @param sft             the SFT stage (item-sequence pre-training, then prompts)
 * @param grpo            the GRPO stage, or {@code null} to stop after SFT
 */
public record Recipe(long seed, int history, int minInteractions, Reasoning reasoning, SftStage.Options sft,
                     GrpoStage.Options grpo) {

    /**
     * The chain-of-thought stages: the built-in 4-step reasoning of every training window, the confidence-aware
     * assessment (leakage veto and retrieval agreement), then mixed-grained injection into the SFT and GRPO prompts.
     *
     * @param enabled            run them (off: plain prompts)
     * @param encoder            the retrieval-agreement encoder, {@code minilm} or {@code tfidf}
     * @param keepFraction       the share of eligible traces kept, best first
     * @param sftCotProbability  the share of SFT prompts that carry a full trace (the reference's 0.1)
     * @param grpoCotProbability the share of GRPO prompts that carry a full trace (the reference's 0.05)
     */
    public record Reasoning(boolean enabled, String encoder, double keepFraction, double sftCotProbability,
                            double grpoCotProbability) {

        /** Validates. */
        public Reasoning {
            Objects.requireNonNull(encoder, "encoder");
            if (!(keepFraction > 0 && keepFraction <= 1)) {
                throw new IllegalArgumentException("keepFraction must be in (0, 1], got " + keepFraction + ".");
            }
        }

        /** The pipeline's: built-in reasoning, the better half kept by MiniLM retrieval agreement, 0.1 / 0.05. */
        public static Reasoning recommended() {
            return new Reasoning(true, "minilm", 0.5, 0.1, 0.05);
        }

        /** None: plain prompts only. */
        public static Reasoning none() {
            return new Reasoning(false, "tfidf", 0.5, 0.0, 0.0);
        }
    }

    /** Validates. */
    public Recipe {
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(sft, "sft");
        if (history < 1 || minInteractions < 1) {
            throw new IllegalArgumentException("history and minInteractions must be at least 1, got " + history
                    + " and " + minInteractions + ".");
        }
    }

    /**
     * The recipe behind the README's table ({@code pipeline}): history 9, users with at least 10 items, the built-in
     * reasoning assessed with MiniLM, then SFT ({@link SftConfig#recommended()}: the {@code mini} model, 50 epochs of
     * item-sequence pre-training, 3 epochs over 6,000 prompts with the windows replayed, item content from the
     * title and attributes encoded by MiniLM with the items' facets beside it, 2 recent windows per user left to
     * GRPO) and GRPO ({@link GrpoConfig#recommended()}: 600 steps, constrained ranked lists of 3). Seed 42.
     *
     * <p>MiniLM needs ONNX Runtime and the MiniLM jar on the classpath (see {@code docs/packaging.md}); without
     * them use {@code recommended().withEncoder("tfidf")}.
     */
    public static Recipe recommended() {
        return recommended(Seeds.DEFAULT_SEED);
    }

    /** {@link #recommended()} with another seed. */
    public static Recipe recommended(long seed) {
        SftStage.Options sft = SftStage.Options.builder().optPreset("mini").optEpochs(3).optBatchSize(128)
                .optLearningRate(1e-3).optSeed(seed).optMaxTrainSamples(6000).optValidationSamples(0)
                .optNegatives(PrepareConfig.DEFAULT_TRAIN_NEGATIVES).optStyle(PromptBuilder.Style.COMPACT)
                .optSequenceEpochs(50).optDropout(0.3).optGrpoHoldout(RecentWindows.DEFAULT)
                .optKeepBestSequenceEpoch(false).optContent(ItemContentSource.TEXT)
                .optContentEncoder(ItemContent.contentEncoder("minilm", true)).build();
        return new Recipe(seed, PrepareConfig.DEFAULT_HISTORY, PrepareConfig.DEFAULT_MIN_INTERACTIONS,
                Reasoning.recommended(), sft, grpo(seed, GrpoConfig.RECOMMENDED_STEPS));
    }

    /**
     * {@code pipeline --quick}: a run of about five minutes on MovieLens (15 pre-training epochs, one epoch over
     * 3,000 prompts, 8 GRPO steps; TF-IDF instead of MiniLM). Seed 42.
     */
    public static Recipe quick() {
        return quick(Seeds.DEFAULT_SEED);
    }

    /** {@link #quick()} with another seed. */
    public static Recipe quick(long seed) {
        Recipe r = recommended(seed).withEncoder("tfidf");
        SftStage.Options sft = r.sft().toBuilder().optEpochs(1).optMaxTrainSamples(3000).optSequenceEpochs(15)
                .build();
        return r.withSft(sft).withGrpo(grpo(seed, 8));
    }

    /**
     * A recipe of seconds for trying the API and for tests on toy data (tens of users): the {@code tiny} model, one
     * epoch of pre-training and one over at most 60 prompts, one GRPO step of 2 prompts x 2 completions, TF-IDF,
     * validation on 8 users. Its numbers mean nothing; the code paths are the recommended recipe's.
     */
    public static Recipe tiny() {
        Recipe r = recommended().withEncoder("tfidf");
        SftStage.Options sft = r.sft().toBuilder().optPreset("tiny").optEpochs(1).optBatchSize(16)
                .optMaxTrainSamples(60).optValidationSamples(8).optSequenceEpochs(1).optKeepBestSequenceEpoch(false)
                .build();
        GrpoStage.Options g = r.grpo();
        GrpoConfig config = GrpoConfig.recommendedBuilder().optMaxSteps(1).optPromptsPerStep(2).optNumGenerations(2)
                .optValidateEverySteps(1).optCheckpointEverySteps(1).build();
        return r.withSft(sft).withGrpo(new GrpoStage.Options(g.init(), config, g.cotProbability(), 8, g.negatives(),
                8, g.inflationWindow(), g.inflationMinRise(), 0, g.recentWindows()));
    }

    private static GrpoStage.Options grpo(long seed, int steps) {
        GrpoConfig config = GrpoConfig.recommendedBuilder().optMaxSteps(steps).optSeed(seed).build();
        return new GrpoStage.Options("sft", config, 0.05, 0, PrepareConfig.DEFAULT_TRAIN_NEGATIVES, 0, 50, 0.1, 0,
                RecentWindows.DEFAULT);
    }

    /** This recipe with another SFT stage. */
    public Recipe withSft(SftStage.Options options) {
        return new Recipe(seed, history, minInteractions, reasoning, options, grpo);
    }

    /** This recipe with another GRPO stage ({@code null}: stop after SFT). */
    public Recipe withGrpo(GrpoStage.Options options) {
        return new Recipe(seed, history, minInteractions, reasoning, sft, options);
    }

    /** This recipe with other reasoning stages. */
    public Recipe withReasoning(Reasoning value) {
        return new Recipe(seed, history, minInteractions, value, sft, grpo);
    }

    /** This recipe with users of fewer than {@code n} items left out (10 by default). */
    public Recipe withMinInteractions(int n) {
        return new Recipe(seed, history, n, reasoning, sft, grpo);
    }

    /** This recipe with the item tokens' content made of {@code source} (text by default). */
    public Recipe withItemContent(ItemContentSource source) {
        return withSft(sft.withContent(source));
    }

    /**
     * This recipe with sentence encoder {@code name} ({@code minilm} or {@code tfidf}) for both the item content and
     * the reasoning assessment; the item content keeps its {@linkplain #withItemFacets facets} setting.
     */
    public Recipe withEncoder(String name) {
        String encoder = ItemContent.sentenceEncoder(name);
        Reasoning r = reasoning;
        return withSft(sft.withContentEncoder(ItemContent.contentEncoder(encoder, itemFacets())))
                .withReasoning(new Reasoning(r.enabled(), encoder, r.keepFraction(), r.sftCotProbability(),
                        r.grpoCotProbability()));
    }

    /**
     * This recipe with or without the items' facets beside their sentence vectors (on in {@link #recommended()}):
     * the genre multi-hot and the release decade, and with a caption source the poster's measurements
     * ({@code ItemFacets}).
     */
    public Recipe withItemFacets(boolean on) {
        return withSft(sft.withContentEncoder(ItemContent.contentEncoder(sft.contentEncoder(), on)));
    }

    /** Whether the item content carries the items' facets ({@link #withItemFacets}). */
    public boolean itemFacets() {
        return ItemContent.hasFacets(sft.contentEncoder());
    }
}
