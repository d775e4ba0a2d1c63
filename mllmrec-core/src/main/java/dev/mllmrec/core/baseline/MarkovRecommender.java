package dev.mllmrec.core.baseline;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A first-order item-to-item transition ("Markov") baseline. From the training sequences it counts each consecutive
 * pair {@code a -> b}; a candidate {@code c} then scores
 * {@code sum over j of decay^j * P(c | h[L-1-j])}, where {@code h[L-1]} is the last history item and
 * {@code P(c | a) = count(a -> c) / count(a -> *)}: transitions from the last item count most, earlier items back it
 * up with geometrically decaying weight. Candidates with equal scores (for example none ever followed the history)
 * fall back to popularity, then to a seeded per-item key.
 *
 * <p>Thread-safe: immutable after {@link #fit}.
 */
public final class MarkovRecommender implements Recommender {

    /** The name used in reports. */
    public static final String NAME = "markov";

    /** The default weight ratio between one history position and the next more recent one. */
    public static final double DEFAULT_DECAY = 0.5;

    private final Map<Integer, Map<Integer, Integer>> transitions;
    private final Map<Integer, Integer> outgoing;
    private final PopularityRecommender popularity;
    private final double decay;

    private MarkovRecommender(Map<Integer, Map<Integer, Integer>> transitions, Map<Integer, Integer> outgoing,
                              PopularityRecommender popularity, double decay) {
        this.transitions = transitions;
        this.outgoing = outgoing;
        this.popularity = popularity;
        this.decay = decay;
    }

    /** Fits with {@link #DEFAULT_DECAY}. */
    public static MarkovRecommender fit(List<? extends List<Integer>> trainingSequences, long seed) {
        return fit(trainingSequences, DEFAULT_DECAY, seed);
    }

    /**
     * Counts transitions in {@code trainingSequences}.
     *
     * @param decay the back-off weight ratio, in (0, 1]
     * @throws IllegalArgumentException if {@code decay} is out of range
     */
    public static MarkovRecommender fit(List<? extends List<Integer>> trainingSequences, double decay, long seed) {
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("The Markov decay must be in (0, 1], got " + decay + ".");
        }
        Map<Integer, Map<Integer, Integer>> transitions = new HashMap<>();
        Map<Integer, Integer> outgoing = new HashMap<>();
        for (List<Integer> seq : trainingSequences) {
            for (int i = 1; i < seq.size(); i++) {
                int from = seq.get(i - 1);
                transitions.computeIfAbsent(from, k -> new HashMap<>()).merge(seq.get(i), 1, Integer::sum);
                outgoing.merge(from, 1, Integer::sum);
            }
        }
        transitions.replaceAll((k, v) -> Collections.unmodifiableMap(v));
        return new MarkovRecommender(Collections.unmodifiableMap(transitions), Collections.unmodifiableMap(outgoing),
                PopularityRecommender.fit(trainingSequences, seed), decay);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The transition score of {@code candidate} after {@code history} (oldest first). */
    public double score(List<Integer> history, int candidate) {
        double score = 0;
        double weight = 1;
        for (int j = history.size() - 1; j >= 0; j--) {
            int from = history.get(j);
            Map<Integer, Integer> next = transitions.get(from);
            if (next != null) {
                Integer n = next.get(candidate);
                if (n != null) {
                    score += weight * n / outgoing.get(from);
                }
            }
            weight *= decay;
        }
        return score;
    }

    @Override
    public Ranking rank(RankingRequest request) {
        Map<Integer, Double> scores = new HashMap<>();
        for (Integer c : request.candidates()) {
            scores.put(c, score(request.history(), c));
        }
        List<Integer> order = new ArrayList<>(request.candidates());
        order.sort(Comparator.<Integer>comparingDouble(scores::get).reversed().thenComparing(popularity.order()));
        List<ScoredItem> items = new ArrayList<>(order.size());
        for (Integer id : order) {
            items.add(new ScoredItem(id, scores.get(id)));
        }
        return new Ranking(request.userId(), items);
    }
}
