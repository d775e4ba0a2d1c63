package dev.mllmrec.recipe;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.WorkDirLock;
import dev.mllmrec.core.cot.BuiltinCotGenerator;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.LeakageAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.TrainingStage;
import dev.mllmrec.core.cot.io.TrainingSamples;
import dev.mllmrec.core.data.DataPreparation;
import dev.mllmrec.core.data.Dataset;
import dev.mllmrec.core.data.NegativeSampler;
import dev.mllmrec.core.data.PrepareConfig;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.core.embed.TextEncoder;
import dev.mllmrec.core.embed.TfIdfEncoder;
import dev.mllmrec.core.lm.sft.SftListener;
import dev.mllmrec.core.pipeline.SftStage;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.core.textualize.CaptionStore;
import dev.mllmrec.core.textualize.Textualization;
import dev.mllmrec.grpo.pipeline.GrpoStage;
import dev.mllmrec.grpo.train.GrpoListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Trains the MLLMRec-R1 policy on data held in memory, with the same stages and settings as the {@code pipeline}
 * command: prepare the samples, caption the images (or take the captions given), build, assess and inject the
 * chain-of-thought data, SFT, then GRPO. Every stage writes into a work directory, so a killed run resumes where it
 * stopped and the result is served with {@link PolicyRanker}:
 *
 * <pre>{@code
 * MllmRec.Result result = MllmRec.builder()
 *         .setCatalog(catalog)
 *         .setHistories(histories)
 *         .setWorkDir(Path.of("work"))
 *         .optRecipe(Recipe.recommended())
 *         .build()
 *         .train();
 * try (PolicyRanker ranker = result.ranker()) {
 *     Ranking r = ranker.rank(new RankingRequest("u1", history, candidates));
 * }
 * }</pre>
 *
 * <p>Progress and metrics reach the caller through {@link SftListener}s and {@link GrpoListener}s; nothing is written
 * to standard error. Not thread-safe: one {@link #train()} at a time per work directory (a second process is refused
 * by the work directory's lock).
 */
public final class MllmRec {

    /** The name this entry point holds the work directory's lock under. */
    public static final String LOCK_NAME = "mllmrec";

    private final Catalog catalog;
    private final List<UserHistory> histories;
    private final Map<Integer, String> captions;
    private final VisualTextualizer textualizer;
    private final Recipe recipe;
    private final Path workDir;
    private final List<SftListener> sftListeners;
    private final List<GrpoListener> grpoListeners;

    private MllmRec(Builder b) {
        this.catalog = b.catalog;
        this.histories = List.copyOf(b.histories);
        this.captions = b.captions;
        this.textualizer = b.textualizer;
        this.recipe = b.recipe;
        this.workDir = b.workDir;
        this.sftListeners = List.copyOf(b.sftListeners);
        this.grpoListeners = List.copyOf(b.grpoListeners);
    }

    /** A builder: set the catalog, the histories and the work directory; the recipe defaults to the recommended. */
    public static Builder builder() {
        return new Builder();
    }

    /** The recipe this run trains with. */
    public Recipe recipe() {
        return recipe;
    }

    /**
     * What a training run produced.
     *
     * @param workDir the work directory holding the checkpoints, metrics and summaries
     * @param sft     the SFT summary (also in {@code W/sft/summary.json})
     * @param grpo    the GRPO summary (also in {@code W/grpo/summary.json}), or {@code null} without GRPO
     */
    public record Result(Path workDir, Map<String, Object> sft, Map<String, Object> grpo) {

        /** Loads the trained policy for ranking: GRPO's best checkpoint, or SFT's newest without GRPO. Close it. */
        public PolicyRanker ranker() {
            return PolicyRanker.load(workDir);
        }
    }

    /**
     * Runs every stage, resuming what an earlier run in the same work directory left.
     *
     * @throws dev.mllmrec.api.InvalidDataException when a history names an item the catalog lacks
     * @throws WorkDirLock.InUseException           when another run holds the work directory
     */
    public Result train() {
        WorkDir w = WorkDir.of(workDir);
        try (WorkDirLock lock = WorkDirLock.acquire(workDir, LOCK_NAME)) {
            prepare(w);
            captions(w);
            if (recipe.reasoning().enabled()) {
                reasoning(w);
            }
            Map<String, Object> sft = SftStage.run(w, recipe.sft(), sftListeners);
            Map<String, Object> grpo = recipe.grpo() == null ? null
                    : GrpoStage.run(w, recipe.grpo(), null, grpoListeners);
            return new Result(w.root(), sft, grpo);
        }
    }

    /** {@code prepare}: the samples of every split, seeded; the same data and recipe write the same files. */
    private void prepare(WorkDir w) {
        Dataset dataset = Dataset.of(catalog, histories, recipe.minInteractions());
        if (dataset.sequences().isEmpty()) {
            throw new IllegalArgumentException("No user has at least " + recipe.minInteractions() + " items; lower "
                    + "Recipe.withMinInteractions or add histories.");
        }
        // 9 and 99 negatives, as the paper; a catalog too small for 99 is evaluated at 9 only.
        List<Integer> evalNegatives = PrepareConfig.DEFAULT_EVAL_NEGATIVES.stream()
                .filter(m -> m + recipe.history() + 1 <= catalog.size()).toList();
        if (evalNegatives.isEmpty()) {
            throw new IllegalArgumentException("The catalog " + catalog.name() + " has " + catalog.size()
                    + " items; the recipe needs at least " + (recipe.history() + 1 + 9) + " (a history of "
                    + recipe.history() + ", the target and 9 negatives).");
        }
        PrepareConfig config = new PrepareConfig(catalog.name(), "memory", "memory", false, recipe.minInteractions(),
                recipe.history(), NegativeSampler.UNIFORM_WINDOW, recipe.seed(), false, evalNegatives,
                PrepareConfig.DEFAULT_TRAIN_NEGATIVES);
        DataPreparation.prepare(dataset, config, w);
    }

    /** The given captions, or the textualizer's over every item with an image, into {@code W/captions.jsonl}. */
    private void captions(WorkDir w) {
        if (!captions.isEmpty()) {
            List<Caption> lines = new ArrayList<>();
            new TreeMap<>(captions).forEach((id, text) -> lines.add(new Caption(id, "", "memory", "1", text)));
            JsonLines.write(w.captions(), lines);
        } else if (textualizer != null) {
            List<Item> withImage = catalog.items().stream().filter(Item::hasImage).toList();
            try (CaptionStore store = CaptionStore.open(w.captions(), textualizer.id(), textualizer.version())) {
                Textualization.builder().setTextualizer(textualizer).setStore(store).optThreads(1)
                        .optProgress(false).build().run(withImage);
            }
        }
    }

    /** {@code build-cot}, {@code assess} and {@code augment} for both stages, as the pipeline runs them. */
    private void reasoning(WorkDir w) {
        Recipe.Reasoning r = recipe.reasoning();
        List<RecommendationSample> samples = TrainingSamples.load(TrainingSamples.locate(w));
        Map<Integer, String> itemCaptions = CotPipeline.captions(w);
        CotPipeline.buildCot(w, samples, new BuiltinCotGenerator(catalog, itemCaptions), 1);
        try (TextEncoder encoder = encoder(r.encoder(), itemCaptions)) {
            CombinedAssessor assessor = CombinedAssessor.builder()
                    .addVeto(new LeakageAssessor(catalog))
                    .optKeepFraction(r.keepFraction())
                    .addScorer(new RetrievalAgreementAssessor(catalog, itemCaptions, encoder,
                            RetrievalAgreementAssessor.Query.CRITERIA), 1.0)
                    .build();
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("encoder", encoder.id());
            provenance.put("query", "criteria");
            CotPipeline.assess(w, samples, assessor, provenance);
        }
        CotPipeline.augment(w, TrainingStage.SFT, samples, new MixedGrainedAugmenter(r.sftCotProbability(), 0,
                recipe.seed(), MixedGrainedAugmenter.Strategy.QUOTA), null);
        CotPipeline.augment(w, TrainingStage.GRPO, samples, new MixedGrainedAugmenter(r.grpoCotProbability(), 0,
                recipe.seed(), MixedGrainedAugmenter.Strategy.QUOTA), null);
    }

    /** The retrieval encoder: MiniLM when asked for and on the classpath, else TF-IDF (as {@code assess} does). */
    private TextEncoder encoder(String name, Map<Integer, String> itemCaptions) {
        if (name.equals("minilm") && MiniLmEncoder.available()) {
            return MiniLmEncoder.load(Runtime.getRuntime().availableProcessors(), 32);
        }
        if (!name.equals("minilm") && !name.equals("tfidf")) {
            throw new IllegalArgumentException("Unknown encoder '" + name + "'; expected minilm or tfidf.");
        }
        return TfIdfEncoder.fit(catalog.items().stream()
                .map(i -> ItemAttributes.candidateText(i, itemCaptions.get(i.id()))).toList());
    }

    /** Builds an {@link MllmRec}. Not thread-safe. */
    public static final class Builder {
        private Catalog catalog;
        private List<UserHistory> histories;
        private Map<Integer, String> captions = Map.of();
        private VisualTextualizer textualizer;
        private Recipe recipe = Recipe.recommended();
        private Path workDir;
        private final List<SftListener> sftListeners = new ArrayList<>();
        private final List<GrpoListener> grpoListeners = new ArrayList<>();

        private Builder() {
        }

        /** The items (required); its name names the dataset. */
        public Builder setCatalog(Catalog value) {
            catalog = Objects.requireNonNull(value, "catalog");
            return this;
        }

        /** Each user's items, oldest first (required); users with too few items are left out. */
        public Builder setHistories(List<UserHistory> value) {
            histories = Objects.requireNonNull(value, "histories");
            return this;
        }

        /** Where checkpoints, metrics and summaries go (required); a later run there resumes. */
        public Builder setWorkDir(Path value) {
            workDir = Objects.requireNonNull(value, "workDir");
            return this;
        }

        /** The recipe (default {@link Recipe#recommended()}). */
        public Builder optRecipe(Recipe value) {
            recipe = Objects.requireNonNull(value, "recipe");
            return this;
        }

        /** Captions of item images already made, by item id (default none). */
        public Builder optCaptions(Map<Integer, String> value) {
            captions = Map.copyOf(value);
            return this;
        }

        /** Captions every item with an image through {@code value} (ignored when captions are given). */
        public Builder optTextualizer(VisualTextualizer value) {
            textualizer = value;
            return this;
        }

        /** Hears both SFT phases (pre-training, then prompts). */
        public Builder addSftListener(SftListener listener) {
            sftListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Hears every GRPO step and validation. */
        public Builder addGrpoListener(GrpoListener listener) {
            grpoListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Builds.
         *
         * @throws IllegalStateException naming what is missing
         */
        public MllmRec build() {
            if (catalog == null || histories == null || workDir == null) {
                throw new IllegalStateException("MllmRec needs setCatalog, setHistories and setWorkDir.");
            }
            try {
                Files.createDirectories(workDir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the work directory " + workDir + ": " + e.getMessage(),
                        e);
            }
            return new MllmRec(this);
        }
    }
}
