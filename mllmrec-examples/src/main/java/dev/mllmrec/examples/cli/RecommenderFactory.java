package dev.mllmrec.examples.cli;

import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.prompt.AnswerParser;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.GenerativeRecommender;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.tokenizer.HfTextTokenizer;
import dev.mllmrec.core.rec.PolicyBundle;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.core.rec.RankingView;
import dev.mllmrec.core.baseline.MarkovRecommender;
import dev.mllmrec.core.baseline.PopularityRecommender;
import dev.mllmrec.core.baseline.RandomRecommender;
import dev.mllmrec.core.data.LeaveOneOut;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.onnx.OnnxManifest;
import dev.mllmrec.core.onnx.OnnxRecommender;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import java.util.List;

/**
 * Creates a {@link Recommender} by name for {@code evaluate}. To add a model: add its name to {@link #NAMES} and a
 * case to {@link #create}; it receives the prepared data (catalog, sequences, work directory for checkpoints) and
 * the seed.
 *
 * <p>Thread-safe: stateless.
 */
public final class RecommenderFactory {

    /** The baselines, fitted on the fly from the prepared data. */
    public static final List<String> BASELINES = List.of(RandomRecommender.NAME, PopularityRecommender.NAME,
            MarkovRecommender.NAME);

    /** The content-aware SASRec ({@code train-sasrec --item-features attributes|facets}). */
    public static final String SASREC_CONTENT = "sasrec-content";

    /** The models {@code evaluate --model} accepts. */
    public static final List<String> NAMES = List.of(RandomRecommender.NAME, PopularityRecommender.NAME,
            MarkovRecommender.NAME, "sasrec", SASREC_CONTENT, "sft", "grpo");

    /**
     * The SASRec models, each loaded from {@code W/checkpoints/<name>}: {@code sasrec} (item ids) and
     * {@code sasrec-content} (the content-aware one, {@code train-sasrec --item-features attributes|facets}).
     */
    public static final List<String> SASRECS = List.of("sasrec", SASREC_CONTENT);

    /** The name of a pretrained Hugging Face policy ({@code evaluate --model pretrained --base-model DIR}). */
    public static final String PRETRAINED = "pretrained";

    /** Policy models: ranked from their checkpoint under {@code W/checkpoints/<name>}. */
    public static final List<String> POLICIES = List.of("sft", "grpo");

    /** How a policy model ranks the candidates. */
    public enum Mode {
        /** Every candidate by its answer's log-likelihood (the default). */
        LIKELIHOOD,
        /** The reference protocol: one greedily generated answer first, the rest in seeded random order. */
        GENERATIVE
    }

    private RecommenderFactory() {
    }

    /**
     * Builds (or loads) model {@code name} over the prepared data. Baselines are fitted on each user's training
     * prefix (the sequence without its validation and test items), so they never see an evaluated target.
     *
     * @throws IllegalArgumentException naming the known models when {@code name} is unknown
     */
    public static Recommender create(String name, PreparedData data, long seed) {
        return create(name, data, seed, Mode.LIKELIHOOD);
    }

    /**
     * Builds (or loads) model {@code name}; policy models rank in {@code mode}. A returned recommender that holds
     * native memory is {@link AutoCloseable}: close it when done.
     */
    public static Recommender create(String name, PreparedData data, long seed, Mode mode) {
        return create(name, data, seed, mode, null);
    }

    /**
     * Builds (or loads) model {@code name}; policy models rank in {@code mode}, a likelihood ranking under
     * {@code view} ({@code null}: the default of the policy's prompt style, {@link RankingView#defaultFor}).
     */
    public static Recommender create(String name, PreparedData data, long seed, Mode mode, RankingView view) {
        String key = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (key) {
            case RandomRecommender.NAME -> new RandomRecommender(seed);
            case PopularityRecommender.NAME ->
                    PopularityRecommender.fit(LeaveOneOut.trainingPrefixes(data.sequences()), seed);
            case MarkovRecommender.NAME -> MarkovRecommender.fit(LeaveOneOut.trainingPrefixes(data.sequences()), seed);
            case "sft", "grpo" -> policy(key, data, seed, mode, view);
            case "sasrec", SASREC_CONTENT ->
                    dev.mllmrec.core.sasrec.SasRecRecommender.load(sasrecCheckpoint(data, key), key);
            default -> throw new IllegalArgumentException("Unknown model '" + name + "'; known models: "
                    + String.join(", ", NAMES) + ".");
        };
    }

    /**
     * Where policy {@code key}'s checkpoint is read from: {@code W/checkpoints/<key>/best} when it exists (GRPO's
     * best validation step), the checkpoint root otherwise.
     */
    public static java.nio.file.Path policyCheckpoint(String key, PreparedData data) {
        return PolicyRanker.checkpoint(data.workDir().root(), key, PolicyRanker.Pick.BEST);
    }

    /** Where SASRec model {@code key} (one of {@link #SASRECS}) is read from, {@code W/checkpoints/<key>}. */
    public static java.nio.file.Path sasrecCheckpoint(PreparedData data, String key) {
        java.nio.file.Path dir = data.workDir().checkpoints(key);
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("No SASRec model in " + dir + "; run train-sasrec"
                    + (key.equals("sasrec") ? "" : " --item-features facets") + " first.");
        }
        return dir;
    }

    /**
     * Loads the ONNX export of model {@code name} ({@code sasrec}, {@code sft} or {@code grpo}) from {@code dir}
     * (by default {@code W/onnx/<name>}, written by {@code export-onnx}) into an {@link OnnxRecommender}.
     */
    public static Recommender onnx(String name, PreparedData data, java.nio.file.Path dir, OnnxSessionConfig config) {
        return onnx(name, data, dir, config, null);
    }

    /** {@link #onnx(String, PreparedData, java.nio.file.Path, OnnxSessionConfig)}, a policy ranking under {@code view}. */
    public static Recommender onnx(String name, PreparedData data, java.nio.file.Path dir, OnnxSessionConfig config,
                                   RankingView view) {
        String key = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        if (!SASRECS.contains(key) && !POLICIES.contains(key)) {
            throw new IllegalArgumentException("--engine onnx ranks sasrec, sasrec-content, sft or grpo, not '" + name
                    + "'.");
        }
        java.nio.file.Path d = dir != null ? dir : onnxDir(data.workDir(), key);
        if (!java.nio.file.Files.isRegularFile(d.resolve(OnnxManifest.FILE))) {
            throw new IllegalArgumentException("No ONNX export of " + key + " in " + d + "; run export-onnx --work-dir "
                    + data.workDir().root() + " --model " + key + " first.");
        }
        return SASRECS.contains(key) ? OnnxRecommender.load(d, data.catalog(), config)
                : OnnxRecommender.loadPolicy(d, data.catalog(), AnswerScope.ITEM_TOKEN, view, config);
    }

    /** The default directory of model {@code key}'s ONNX export, {@code W/onnx/<key>}. */
    public static java.nio.file.Path onnxDir(dev.mllmrec.core.WorkDir w, String key) {
        return w.root().resolve("onnx").resolve(key);
    }

    private static Recommender policy(String key, PreparedData data, long seed, Mode mode, RankingView view) {
        java.nio.file.Path checkpoint = policyCheckpoint(key, data);
        if (dev.mllmrec.core.lm.TrainablePolicies.isAdapterCheckpoint(checkpoint)) {
            // LoRA adapters of a pretrained decoder (train-sft --base-model): served on the base they record.
            java.nio.file.Path base = HfDecoder.baseFolderOf(checkpoint);
            if (base == null) {
                throw new IllegalArgumentException("The adapters in " + checkpoint + " record no base model folder; "
                        + "evaluate them with --model pretrained --base-model DIR --adapters " + checkpoint + ".");
            }
            if (view != null) {
                RankingView.check(view, AnswerScope.FULL_ANSWER);
            }
            return pretrained(key, base, checkpoint, data, seed, mode, true);
        }
        PolicyBundle bundle = PolicyBundle.load(checkpoint);
        PromptBuilder prompts = bundle.prompts(data.catalog());
        Recommender inner = mode == Mode.GENERATIVE
                ? new GenerativeRecommender(key + "-generative", bundle.model(), bundle.tokenizer(), prompts,
                        AnswerParser.strict(), seed)
                // An explicit view names the report (grpo-history), so that it does not replace the default's.
                : new LikelihoodRecommender(view == null ? key : key + "-" + view.id(), bundle.model(),
                        bundle.tokenizer(), prompts, AnswerScope.ITEM_TOKEN,
                        view != null ? view : RankingView.defaultFor(bundle.style(), AnswerScope.ITEM_TOKEN));
        return new Owning(inner, bundle);
    }

    /**
     * A pretrained Hugging Face decoder folder (with its {@code tokenizer.json}) as a policy: reference-style
     * prompts in the base's chat template, candidates ranked by the likelihood of their whole answer line
     * ({@code [ITEM_<id>] <title>}), or one greedy answer in {@link Mode#GENERATIVE}. {@code adapters} (may be
     * {@code null}) are LoRA adapters saved for this base; they are merged for serving.
     */
    public static Recommender pretrained(java.nio.file.Path dir, java.nio.file.Path adapters, PreparedData data,
                                         long seed, Mode mode) {
        return pretrained(PRETRAINED, dir, adapters, data, seed, mode, true);
    }

    /**
     * {@link #pretrained(java.nio.file.Path, java.nio.file.Path, PreparedData, long, Mode)}, with
     * {@code chatTemplate} false for plain prompts. With it, adapters are served in the template their training
     * recorded ({@code prompt.json} beside their checkpoints), a base without recorded adapters in its folder's own
     * ({@link ChatTemplate#detect}).
     */
    public static Recommender pretrained(java.nio.file.Path dir, java.nio.file.Path adapters, PreparedData data,
                                         long seed, Mode mode, boolean chatTemplate) {
        return pretrained(PRETRAINED, dir, adapters, data, seed, mode, chatTemplate);
    }

    /** The chat template a pretrained policy's prompts are wrapped in (see {@link #pretrained}). */
    static ChatTemplate chatTemplate(java.nio.file.Path dir, java.nio.file.Path adapters, boolean chatTemplate) {
        if (!chatTemplate) {
            return ChatTemplate.none();
        }
        java.util.Optional<ChatTemplate> recorded = adapters == null ? java.util.Optional.empty()
                : PolicyBundle.findChatTemplate(adapters);
        return recorded.orElseGet(() -> ChatTemplate.detect(dir));
    }

    /** {@link #pretrained(java.nio.file.Path, java.nio.file.Path, PreparedData, long, Mode)} named {@code name}. */
    static Recommender pretrained(String name, java.nio.file.Path dir, java.nio.file.Path adaptersOrPointer,
                                  PreparedData data, long seed, Mode mode, boolean chatTemplate) {
        java.nio.file.Path adapters = adaptersOrPointer == null ? null
                : dev.mllmrec.core.CheckpointStore.resolve(adaptersOrPointer);
        java.nio.file.Path tokenizerFile = dir.resolve("tokenizer.json");
        if (!java.nio.file.Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json: a pretrained policy needs its "
                    + "tokenizer to read the prompts.");
        }
        ChatTemplate template = chatTemplate(dir, adapters, chatTemplate);
        HfDecoder model = HfDecoder.load(dir);
        HfTextTokenizer tokenizer = null;
        try {
            tokenizer = HfTextTokenizer.load(tokenizerFile);
            if (tokenizer.vocabSize() > model.vocabSize()) {
                throw new IllegalArgumentException(tokenizerFile + " has " + tokenizer.vocabSize() + " ids but the "
                        + "model only " + model.vocabSize() + ".");
            }
            if (adapters != null) {
                model.loadAdapters(adapters);
                model.mergeAdapters();
            }
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            model.close();
            throw e;
        }
        PromptBuilder prompts = PromptBuilder.builder().optStyle(PromptBuilder.Style.REFERENCE)
                .optChatTemplate(template).setCatalog(data.catalog()).build();
        Recommender inner = mode == Mode.GENERATIVE
                ? new GenerativeRecommender(name + "-generative", model, tokenizer, prompts,
                        AnswerParser.strict(), seed)
                : new LikelihoodRecommender(name, model, tokenizer, prompts, AnswerScope.FULL_ANSWER);
        HfTextTokenizer tok = tokenizer;
        return new Owning(inner, () -> {
            try (tok) {
                model.close();
            }
        });
    }

    /** A recommender that owns the native resources behind it. */
    static final class Owning implements Recommender, AutoCloseable {
        private final Recommender inner;
        private final AutoCloseable resource;

        Owning(Recommender inner, AutoCloseable resource) {
            this.inner = inner;
            this.resource = resource;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Ranking rank(RankingRequest request) {
            return inner.rank(request);
        }

        @Override
        public List<Ranking> rankAll(List<RankingRequest> requests) {
            return inner.rankAll(requests);
        }

        @Override
        public void close() throws Exception {
            resource.close();
        }
    }
}
