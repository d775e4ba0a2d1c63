package dev.mllmrec.core.cot.augment;

import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Seeds;
import dev.mllmrec.core.cot.CotParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Draws, for each training sample, whether its prompt carries no reasoning, the Step-3 criteria only, or the full
 * four steps (the paper's mixed-grained augmentation), from traces that passed assessment only.
 *
 * <p><b>What the probabilities mean.</b> {@code cotProbability} and {@code criteriaProbability} are fractions of
 * <em>all</em> training samples, kept trace or not. A sample is <em>eligible</em> when it has a kept, well-formed
 * trace; the others stay plain. Two strategies reach the requested fractions:
 * <ul>
 *   <li>{@link Strategy#QUOTA} (default): exactly {@code round(p × N)} samples get the full CoT and
 *       {@code round(q × N)} the criteria, chosen as the first eligible samples in the order of a seeded hash of
 *       their ids; the realised fractions are within {@code 0.5 / N} of the requested ones (within ±0.01 once
 *       N ≥ 50) whenever enough samples are eligible;</li>
 *   <li>{@link Strategy#BERNOULLI}: each eligible sample draws independently with the probabilities rescaled by
 *       {@code N / eligible}, so the expected fractions of all samples are the requested ones (binomial noise).</li>
 * </ul>
 * When fewer samples are eligible than requested, all of them are injected and the report says so
 * ({@code shortfall}). Either way the draw for a sample depends only on the seed and its id: reproducible, and
 * independent of input order and of thread scheduling.
 *
 * <p>Thread-safe: immutable.
 */
public final class MixedGrainedAugmenter {

    /** How the injected samples are chosen. */
    public enum Strategy {
        /** Exact counts by a seeded ordering. */
        QUOTA,
        /** Independent seeded draws with rescaled probabilities. */
        BERNOULLI
    }

    /**
     * The realised mix.
     *
     * @param total              training samples
     * @param eligible           samples with a kept, well-formed trace
     * @param plain              samples without reasoning
     * @param criteria           samples with Step 3 only
     * @param full               samples with all four steps
     * @param requestedCot       the requested full-CoT fraction
     * @param requestedCriteria  the requested criteria fraction
     * @param realisedCot        {@code full / total}
     * @param realisedCriteria   {@code criteria / total}
     * @param realisedInjected   {@code (full + criteria) / total}
     * @param shortfall          whether too few samples were eligible to reach the request
     * @param strategy           the strategy used
     * @param seed               the seed used
     */
    public record Mix(int total, int eligible, int plain, int criteria, int full, double requestedCot,
                      double requestedCriteria, double realisedCot, double realisedCriteria,
                      double realisedInjected, boolean shortfall, Strategy strategy, long seed) {
    }

    /**
     * The decisions, in input order, and the realised mix.
     *
     * @param samples one decision per input sample
     * @param mix     the realised mix
     */
    public record Result(List<AugmentedSample> samples, Mix mix) {

        /** Copies. */
        public Result {
            samples = List.copyOf(samples);
        }
    }

    private final double cotProbability;
    private final double criteriaProbability;
    private final long seed;
    private final Strategy strategy;

    /**
     * @param cotProbability      the fraction of all samples to get the full CoT (reference: 0.1 SFT, 0.05 GRPO)
     * @param criteriaProbability the fraction of all samples to get Step 3 only
     * @param seed                the seed
     * @param strategy            how to choose
     */
    public MixedGrainedAugmenter(double cotProbability, double criteriaProbability, long seed, Strategy strategy) {
        if (!(cotProbability >= 0 && criteriaProbability >= 0 && cotProbability + criteriaProbability <= 1)) {
            throw new IllegalArgumentException("The CoT probability " + cotProbability + " and the criteria"
                    + " probability " + criteriaProbability + " must be non-negative and sum to at most 1.");
        }
        this.cotProbability = cotProbability;
        this.criteriaProbability = criteriaProbability;
        this.seed = seed;
        this.strategy = strategy;
    }

    /**
     * Decides every sample's granularity.
     *
     * @param samples the training samples
     * @param kept    traces that passed assessment, by sample id (rejected ones must be absent)
     */
    public Result augment(List<RecommendationSample> samples, Map<String, CotTrace> kept) {
        int n = samples.size();
        List<RecommendationSample> eligible = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (RecommendationSample s : samples) {
            if (!seen.add(s.sampleId())) {
                throw new IllegalArgumentException("Sample id " + s.sampleId() + " appears twice among the "
                        + "training samples.");
            }
            CotTrace t = kept.get(s.sampleId());
            if (t != null && t.valid()) {
                eligible.add(s);
            }
        }
        Map<String, Granularity> drawn = new HashMap<>();
        boolean shortfall;
        if (strategy == Strategy.QUOTA) {
            long wantFull = Math.round(cotProbability * n);
            long wantCriteria = Math.round(criteriaProbability * n);
            List<RecommendationSample> order = new ArrayList<>(eligible);
            order.sort(Comparator.comparingLong((RecommendationSample s) -> key(seed, s.sampleId()))
                    .thenComparing(RecommendationSample::sampleId));
            int i = 0;
            for (; i < order.size() && i < wantFull; i++) {
                drawn.put(order.get(i).sampleId(), Granularity.FULL);
            }
            for (; i < order.size() && i < wantFull + wantCriteria; i++) {
                drawn.put(order.get(i).sampleId(), Granularity.CRITERIA);
            }
            shortfall = order.size() < wantFull + wantCriteria;
        } else {
            double scale = eligible.isEmpty() ? 0 : (double) n / eligible.size();
            double pFull = Math.min(1, cotProbability * scale);
            double pCriteria = Math.min(1 - pFull, criteriaProbability * scale);
            shortfall = (cotProbability + criteriaProbability) * scale > 1;
            for (RecommendationSample s : eligible) {
                double u = (key(seed, s.sampleId()) >>> 11) * 0x1.0p-53;
                if (u < pFull) {
                    drawn.put(s.sampleId(), Granularity.FULL);
                } else if (u < pFull + pCriteria) {
                    drawn.put(s.sampleId(), Granularity.CRITERIA);
                }
            }
        }
        List<AugmentedSample> out = new ArrayList<>(n);
        int full = 0;
        int criteria = 0;
        for (RecommendationSample s : samples) {
            Granularity g = drawn.getOrDefault(s.sampleId(), Granularity.PLAIN);
            String reasoning = switch (g) {
                case PLAIN -> "";
                case CRITERIA -> "Step 3: " + kept.get(s.sampleId()).step(3);
                case FULL -> CotParser.canonical(kept.get(s.sampleId()));
            };
            if (g == Granularity.FULL) {
                full++;
            } else if (g == Granularity.CRITERIA) {
                criteria++;
            }
            out.add(new AugmentedSample(s.sampleId(), g, reasoning));
        }
        double denom = Math.max(1, n);
        Mix mix = new Mix(n, eligible.size(), n - full - criteria, criteria, full, cotProbability,
                criteriaProbability, full / denom, criteria / denom, (full + criteria) / denom, shortfall, strategy,
                seed);
        return new Result(out, mix);
    }

    /**
     * A seeded 64-bit hash of a sample id: FNV-1a over its UTF-8 bytes, mixed with the seed by SplitMix64. A sample's
     * draw and its place in the quota order depend on this key (then on the id) only, so a distributed job (the
     * Spark {@code augment}) can compute it per record.
     */
    public static long key(long seed, String sampleId) {
        return Seeds.mix(Seeds.fnv1a(sampleId) ^ (seed * Seeds.GOLDEN_GAMMA));
    }
}
