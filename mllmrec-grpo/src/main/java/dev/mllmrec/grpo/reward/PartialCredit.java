package dev.mllmrec.grpo.reward;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RecommendationSample;
import java.util.Objects;
import java.util.function.Function;

/**
 * A bonus added to the wrong-item reward when a well-formed answer names a candidate that is not the target.
 * Implementations must be stateless and thread-safe.
 */
@FunctionalInterface
public interface PartialCredit {

    /** No partial credit: every wrong candidate earns exactly the wrong-item reward (the reference behaviour). */
    PartialCredit NONE = (sample, itemId) -> 0.0;

    /**
     * The bonus (zero or more) for answering {@code itemId}, a candidate of {@code sample} that is not its target.
     */
    double bonus(RecommendationSample sample, int itemId);

    /**
     * Rank-aware credit from a supplied ranking of the candidates (for example a popularity or SASRec
     * {@code Recommender}, or a teacher's scores turned into a {@link Ranking}).
     *
     * <p>Let {@code negatives} be the ranking's ids with the target removed, best first, {@code m} their number and
     * {@code k} the 0-based position of {@code itemId} among them. The bonus is
     * {@code maxBonus * (m - 1 - k) / (m - 1)} (so {@code maxBonus} for the best-ranked negative, falling linearly
     * to 0 for the worst), {@code maxBonus} when {@code m == 1}, and 0 when the ranking does not contain
     * {@code itemId}. Keep {@code wrongReward + maxBonus} below the target reward so that the target stays the best
     * answer.
     *
     * @param ranker   ranks the candidates of a sample, best first; called once per scored completion
     * @param maxBonus the bonus of the best-ranked negative, zero or more
     */
    static PartialCredit rankAware(Function<RecommendationSample, Ranking> ranker, double maxBonus) {
        Objects.requireNonNull(ranker, "ranker");
        if (!(maxBonus >= 0.0) || Double.isInfinite(maxBonus)) {
            throw new IllegalArgumentException("The maximum partial-credit bonus must be finite and zero or more, got "
                    + maxBonus + ".");
        }
        return (sample, itemId) -> {
            Ranking ranking = ranker.apply(sample);
            int m = 0;
            int k = -1;
            for (Integer id : ranking.ids()) {
                if (id == sample.target()) {
                    continue;
                }
                if (id == itemId) {
                    k = m;
                }
                m++;
            }
            if (k < 0) {
                return 0.0;
            }
            return m == 1 ? maxBonus : maxBonus * (m - 1 - k) / (m - 1);
        };
    }
}
