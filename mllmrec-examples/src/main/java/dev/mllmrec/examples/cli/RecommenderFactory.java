package dev.mllmrec.examples.cli;

import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.prompt.AnswerParser;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.GenerativeRecommender;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.PolicyBundle;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.core.baseline.MarkovRecommender;
import dev.mllmrec.core.baseline.PopularityRecommender;
import dev.mllmrec.core.baseline.RandomRecommender;
import dev.mllmrec.core.data.LeaveOneOut;
import dev.mllmrec.core.data.PreparedData;
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

    /** The models {@code evaluate --model} accepts. */
    public static final List<String> NAMES = List.of(RandomRecommender.NAME, PopularityRecommender.NAME,
            MarkovRecommender.NAME, "sasrec", "sft", "grpo");

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
        String key = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (key) {
            case RandomRecommender.NAME -> new RandomRecommender(seed);
            case PopularityRecommender.NAME ->
                    PopularityRecommender.fit(LeaveOneOut.trainingPrefixes(data.sequences()), seed);
            case MarkovRecommender.NAME -> MarkovRecommender.fit(LeaveOneOut.trainingPrefixes(data.sequences()), seed);
            case "sft", "grpo" -> policy(key, data, seed, mode);
            case "sasrec" -> sasrec(data);
            default -> throw new IllegalArgumentException("Unknown model '" + name + "'; known models: "
                    + String.join(", ", NAMES) + ".");
        };
    }

    private static Recommender policy(String key, PreparedData data, long seed, Mode mode) {
        PolicyBundle bundle = PolicyBundle.load(PolicyRanker.checkpoint(data.workDir().root(), key,
                PolicyRanker.Pick.BEST));
        PromptBuilder prompts = bundle.prompts(data.catalog());
        Recommender inner = mode == Mode.GENERATIVE
                ? new GenerativeRecommender(key + "-generative", bundle.model(), bundle.tokenizer(), prompts,
                        AnswerParser.strict(), seed)
                : new LikelihoodRecommender(key, bundle.model(), bundle.tokenizer(), prompts, AnswerScope.ITEM_TOKEN);
        return new Owning(inner, bundle);
    }

    private static Recommender sasrec(PreparedData data) {
        java.nio.file.Path dir = data.workDir().checkpoints("sasrec");
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("No SASRec model in " + dir + "; run train-sasrec first.");
        }
        return dev.mllmrec.core.sasrec.SasRecRecommender.load(dir);
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
