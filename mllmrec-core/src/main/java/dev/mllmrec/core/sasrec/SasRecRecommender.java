package dev.mllmrec.core.sasrec;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Ranks candidates with a trained {@link SasRecModel}: each candidate scores the dot product of the model's hidden
 * state at the last item of the request's history with the candidate's embedding. Only the request's history is
 * read (its last {@link SasRecConfig#maxLength()} items). Ties break by ascending item id, so rankings are
 * deterministic; candidates the model has never seen rank last. Duplicate candidates are ranked once.
 *
 * <p>Thread-safe: concurrent {@link #rank}/{@link #rankAll} calls are fine, provided the model is not being trained
 * at the same time. {@link #rankAll} scores up to 512 requests per forward pass.
 */
public final class SasRecRecommender implements Recommender, AutoCloseable {

    private static final Comparator<ScoredItem> ORDER = Comparator.comparingDouble(ScoredItem::score).reversed()
            .thenComparingInt(ScoredItem::itemId);

    /** The default {@link #name()}. */
    public static final String NAME = "sasrec";

    private final SasRecModel model;
    private final boolean ownsModel;
    private final String name;

    /** A recommender over {@code model}, which the caller keeps owning (closing this does not close it). */
    public SasRecRecommender(SasRecModel model) {
        this(model, false, NAME);
    }

    private SasRecRecommender(SasRecModel model, boolean ownsModel, String name) {
        this.model = Objects.requireNonNull(model, "model");
        this.ownsModel = ownsModel;
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A recommender's name must not be blank, got '" + name + "'.");
        }
        this.name = name;
    }

    /** Loads a checkpoint saved by {@link SasRecModel#save}; closing the recommender closes the model. */
    public static SasRecRecommender load(Path dir) {
        return load(dir, NAME);
    }

    /**
     * {@link #load(Path)} under another {@link #name()}, for a work directory that holds several SASRec models (such
     * as {@code sasrec-content}, the content-aware one): evaluation reports are named after it.
     */
    public static SasRecRecommender load(Path dir, String name) {
        SasRecModel model = SasRecModel.load(dir);
        try {
            return new SasRecRecommender(model, true, name);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The model it scores with. */
    public SasRecModel model() {
        return model;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Ranking rank(RankingRequest request) {
        return rankAll(List.of(request)).get(0);
    }

    @Override
    public List<Ranking> rankAll(List<RankingRequest> requests) {
        List<List<Integer>> histories = new ArrayList<>(requests.size());
        List<List<Integer>> candidates = new ArrayList<>(requests.size());
        for (RankingRequest r : requests) {
            histories.add(r.history());
            candidates.add(List.copyOf(new LinkedHashSet<>(r.candidates())));
        }
        double[][] scores = model.scoreLast(histories, candidates);
        List<Ranking> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            List<Integer> c = candidates.get(i);
            List<ScoredItem> scored = new ArrayList<>(c.size());
            for (int j = 0; j < c.size(); j++) {
                scored.add(new ScoredItem(c.get(j), scores[i][j]));
            }
            scored.sort(ORDER);
            out.add(new Ranking(requests.get(i).userId(), scored));
        }
        return out;
    }

    /** Closes the model if this recommender loaded it. */
    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
