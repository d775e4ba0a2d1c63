package dev.mllmrec.core.data;

import dev.mllmrec.core.Seeds;
import java.util.List;
import java.util.Objects;

/**
 * The settings of a data preparation run, recorded in {@code W/prepare/summary.json} so that later stages sample
 * and evaluate exactly as prepare did.
 *
 * @param dataset            the dataset name (catalog name)
 * @param source             where the data came from (a folder), for provenance only
 * @param format             {@code movielens} or {@code reference}
 * @param imagesOnly         whether only items with an image were kept
 * @param minInteractions    the minimum number of interactions per user
 * @param history            the maximum history length of a sample
 * @param sampler            the negative-sampling strategy
 * @param seed               the seed of every sample's random stream
 * @param lenient            whether bad records were skipped rather than fatal
 * @param evalNegatives      the numbers of negatives of the validation and test samples (for example 9 and 99)
 * @param trainNegatives     the number of negatives of the training windows
 */
public record PrepareConfig(String dataset, String source, String format, boolean imagesOnly, int minInteractions,
                            int history, NegativeSampler sampler, long seed, boolean lenient,
                            List<Integer> evalNegatives, int trainNegatives) {

    /** The paper's history length. */
    public static final int DEFAULT_HISTORY = 9;
    /** The reference's minimum number of interactions per user. */
    public static final int DEFAULT_MIN_INTERACTIONS = 10;
    /** The paper's two candidate-list sizes: 1 target + 9 or 99 negatives. */
    public static final List<Integer> DEFAULT_EVAL_NEGATIVES = List.of(9, 99);
    /** The number of negatives of the training windows. */
    public static final int DEFAULT_TRAIN_NEGATIVES = 9;

    /** Validates and copies. */
    public PrepareConfig {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(sampler, "sampler");
        evalNegatives = List.copyOf(evalNegatives == null ? DEFAULT_EVAL_NEGATIVES : evalNegatives);
        if (history < 1) {
            throw new IllegalArgumentException("The history length must be at least 1, got " + history + ".");
        }
        if (minInteractions < 1) {
            throw new IllegalArgumentException("The minimum number of interactions must be at least 1, got "
                    + minInteractions + ".");
        }
        for (int m : evalNegatives) {
            if (m < 1) {
                throw new IllegalArgumentException("The number of negatives must be at least 1, got " + m + ".");
            }
        }
        if (trainNegatives < 1) {
            throw new IllegalArgumentException("The number of training negatives must be at least 1, got "
                    + trainNegatives + ".");
        }
    }

    /** The defaults for a dataset: history 9, at least 10 interactions, uniform-window, seed 42, strict. */
    public static PrepareConfig defaults(String dataset, String source, String format) {
        return new PrepareConfig(dataset, source, format, false, DEFAULT_MIN_INTERACTIONS, DEFAULT_HISTORY,
                NegativeSampler.UNIFORM_WINDOW, Seeds.DEFAULT_SEED, false, DEFAULT_EVAL_NEGATIVES,
                DEFAULT_TRAIN_NEGATIVES);
    }

    /** The sampling config of one split and number of negatives over a dataset with this fingerprint. */
    public SamplingConfig sampling(String fingerprint, Split split, int negatives) {
        return new SamplingConfig(dataset, fingerprint, split, history, negatives, sampler, seed);
    }
}
