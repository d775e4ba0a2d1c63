package dev.mllmrec.core.baseline;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Ranks the candidates in a uniformly random order: the sanity check (HR@1 ≈ 1 / number of candidates). The order
 * is a function of the seed and the request alone, so the same request always gets the same ranking, whatever the
 * order or thread in which requests arrive.
 *
 * <p>Thread-safe: immutable.
 */
public final class RandomRecommender implements Recommender {

    /** The name used in reports. */
    public static final String NAME = "random";

    private final long seed;

    /** A random recommender with {@code seed}. */
    public RandomRecommender(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Ranking rank(RankingRequest request) {
        SplittableRandom random = Seeds.random(seed,
                request.userId() + "|" + request.history() + "|" + request.candidates());
        List<Integer> order = new ArrayList<>(request.candidates());
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer tmp = order.get(i);
            order.set(i, order.get(j));
            order.set(j, tmp);
        }
        List<ScoredItem> items = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            items.add(new ScoredItem(order.get(i), order.size() - i));
        }
        return new Ranking(request.userId(), items);
    }
}
