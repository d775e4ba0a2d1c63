package dev.mllmrec.core.data;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds the recommendation samples of one {@link SamplingConfig}: for every user (in the given order) and every
 * {@link LeaveOneOut} window of the split, {@code negatives} items drawn by the config's {@link NegativeSampler},
 * then the target and negatives shuffled. Each sample's random stream is derived from the seed and the sample id
 * alone, so the result does not depend on iteration order, threads or other samples.
 *
 * <p>Thread-safe: stateless.
 */
public final class SampleGenerator {

    private SampleGenerator() {
    }

    /**
     * Generates the samples.
     *
     * @throws IllegalArgumentException if a sequence holds an item the catalog does not, or the catalog is too small
     *                                  for the number of negatives
     */
    public static List<RecommendationSample> generate(Catalog catalog, List<UserHistory> sequences,
                                                      SamplingConfig config) {
        int[] pool = catalog.ids();
        List<RecommendationSample> out = new ArrayList<>();
        for (UserHistory user : sequences) {
            for (Integer id : user.items()) {
                if (!catalog.contains(id)) {
                    throw new IllegalArgumentException("User " + user.userId() + " has item " + id
                            + " which is not in catalog '" + catalog.name() + "'.");
                }
            }
            out.addAll(forUser(pool, user, config));
        }
        return out;
    }

    /**
     * The samples of one user, in window order: what {@link #generate} returns for that user. Each depends only on
     * the user's sequence, the pool and the config (its stream is derived from the seed and the sample id), so
     * users may be processed in any order, on any machine; a distributed job calls this per user.
     *
     * @param pool   the catalog's ids, distinct and ascending ({@code Catalog.ids()})
     * @param user   the user's full chronological sequence (every item in the pool; not checked here)
     * @param config the split, history, negatives, sampler and seed
     * @throws IllegalArgumentException if the pool is too small for the number of negatives
     */
    public static List<RecommendationSample> forUser(int[] pool, UserHistory user, SamplingConfig config) {
        List<RecommendationSample> out = new ArrayList<>();
        for (LeaveOneOut.Window w : LeaveOneOut.windows(user.items(), config.split(), config.history())) {
            String id = LeaveOneOut.sampleId(user.userId(), config.split(), w.targetIndex());
            out.add(sample(pool, user, w, id, config));
        }
        return out;
    }

    /** One sample, from its own random stream {@code Seeds.random(seed, sampleId)}. */
    static RecommendationSample sample(int[] pool, UserHistory user, LeaveOneOut.Window w, String sampleId,
                                       SamplingConfig config) {
        SplittableRandom random = Seeds.random(config.seed(), sampleId);
        List<Integer> candidates = new ArrayList<>(config.negatives() + 1);
        candidates.addAll(NegativeSampler.draw(pool,
                config.sampler().excluded(w.history(), w.target(), user.items()), config.negatives(), random));
        candidates.add(w.target());
        for (int i = candidates.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer tmp = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, tmp);
        }
        return new RecommendationSample(sampleId, user.userId(), w.history(), w.target(), candidates);
    }
}
