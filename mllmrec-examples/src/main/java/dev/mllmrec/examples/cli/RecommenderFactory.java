package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Recommender;
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

    /** The models {@code evaluate --model} accepts. */
    public static final List<String> NAMES = List.of(RandomRecommender.NAME, PopularityRecommender.NAME,
            MarkovRecommender.NAME);

    private RecommenderFactory() {
    }

    /**
     * Builds (or loads) model {@code name} over the prepared data. Baselines are fitted on each user's training
     * prefix (the sequence without its validation and test items), so they never see an evaluated target.
     *
     * @throws IllegalArgumentException naming the known models when {@code name} is unknown
     */
    public static Recommender create(String name, PreparedData data, long seed) {
        String key = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (key) {
            case RandomRecommender.NAME -> new RandomRecommender(seed);
            case PopularityRecommender.NAME ->
                    PopularityRecommender.fit(LeaveOneOut.trainingPrefixes(data.sequences()), seed);
            case MarkovRecommender.NAME -> MarkovRecommender.fit(LeaveOneOut.trainingPrefixes(data.sequences()), seed);
            default -> throw new IllegalArgumentException("Unknown model '" + name + "'; known models: "
                    + String.join(", ", NAMES) + ".");
        };
    }
}
