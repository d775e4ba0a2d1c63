package dev.mllmrec.core.cot.assess;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.ConfidenceAssessor;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * The confidence-aware assessment: vetoes, a format check, then a weighted score and a selection rule, with the
 * reason recorded for every decision, checked in this order:
 * <ol>
 *   <li>a veto assessor ({@link LeakageAssessor}) that does not keep the trace rejects it with its own reason
 *       ({@code leak:id}, {@code leak:title});</li>
 *   <li>a trace that did not parse into four steps is rejected as {@value #INVALID_FORMAT};</li>
 *   <li>the score is the weighted mean of the scorers' scores ({@link RetrievalAgreementAssessor}; the policy
 *       language model's likelihood-gain assessor plugs in here with {@link Builder#addScorer}, and should map its
 *       log-probability gain into [0, 1], for example with a sigmoid, so that weights mean what they say);</li>
 *   <li>with a threshold, a score below it is {@value #BELOW_THRESHOLD}; with a keep-fraction F, the
 *       {@code round(F × eligible)} best-scoring eligible traces (neither vetoed nor malformed; ties broken by sample
 *       id) are kept and the other eligible ones are {@value #BELOW_THRESHOLD}. A keep-fraction needs the whole set:
 *       use {@link #assessAll}; a single {@link #assess} then applies no cut.</li>
 * </ol>
 * Everything else is {@value #KEPT}. Every scorer runs on every trace, vetoed or not, so rejected traces keep
 * their diagnostics (for example the target's retrieval rank). The scores map holds each assessor's scores.
 *
 * <p>Thread-safe when its assessors are.
 */
public final class CombinedAssessor implements BatchConfidenceAssessor {

    /** Reason for a trace that did not parse into four steps. */
    public static final String INVALID_FORMAT = "invalid-format";
    /**
     * The reason of a trace with a step that says nothing: no word of three letters, or an empty enumeration such as
     * {@code "the most frequent are ."} (what reasoning over a catalog without attributes used to produce).
     */
    public static final String EMPTY_REASONING = "empty-reasoning";
    private static final java.util.regex.Pattern EMPTY_LIST =
            java.util.regex.Pattern.compile("(?:\\bare|\\btoward|:|\\()\\s*[.,;)]");
    private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("\\p{L}{3,}");
    /** Reason for a trace whose score is below the threshold or outside the kept fraction. */
    public static final String BELOW_THRESHOLD = "below-threshold";
    /** Reason for a kept trace. */
    public static final String KEPT = "kept";

    /** Traces per sub-assessor call. */
    public static final int CHUNK = 512;

    private final List<ConfidenceAssessor> vetoes;
    private final List<ConfidenceAssessor> scorers;
    private final List<Double> weights;
    private final double threshold;
    private final double keepFraction;
    private final boolean requireValid;

    private CombinedAssessor(Builder b) {
        this.vetoes = List.copyOf(b.vetoes);
        this.scorers = List.copyOf(b.scorers);
        this.weights = List.copyOf(b.weights);
        this.threshold = b.threshold;
        this.keepFraction = b.keepFraction;
        this.requireValid = b.requireValid;
    }

    /** Whether a step of {@code trace} says nothing (see {@link #EMPTY_REASONING}); a trace without steps does. */
    static boolean empty(CotTrace trace) {
        for (String step : trace.steps()) {
            if (!WORD.matcher(step).find() || EMPTY_LIST.matcher(step).find()) {
                return true;
            }
        }
        return trace.steps().isEmpty();
    }

    /** A builder; with no option set every clean, well-formed trace is kept. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "combined";
    }

    /** The configuration, for provenance in summaries. */
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vetoes", vetoes.stream().map(ConfidenceAssessor::name).toList());
        c.put("scorers", scorers.stream().map(ConfidenceAssessor::name).toList());
        c.put("weights", weights);
        c.put("threshold", Double.isNaN(threshold) ? null : threshold);
        c.put("keepFraction", Double.isNaN(keepFraction) ? null : keepFraction);
        c.put("requireValidFormat", requireValid);
        return c;
    }

    @Override
    public Assessment assess(CotTrace trace, RecommendationSample sample) {
        return assessAll(List.of(trace), List.of(sample)).get(0);
    }

    @Override
    public List<Assessment> assessAll(List<CotTrace> traces, List<RecommendationSample> samples) {
        return assessAll(traces, samples, done -> { });
    }

    /**
     * Assesses all traces, in chunks of {@value #CHUNK} for the sub-assessors, reporting the number of traces done
     * after each chunk to {@code progress}.
     */
    public List<Assessment> assessAll(List<CotTrace> traces, List<RecommendationSample> samples,
                                      IntConsumer progress) {
        if (traces.size() != samples.size()) {
            throw new IllegalArgumentException("Got " + traces.size() + " traces but " + samples.size()
                    + " samples; they must pair up.");
        }
        int n = traces.size();
        List<List<Assessment>> vetoResults = new ArrayList<>();
        vetoes.forEach(v -> vetoResults.add(new ArrayList<>(n)));
        List<List<Assessment>> scoreResults = new ArrayList<>();
        scorers.forEach(v -> scoreResults.add(new ArrayList<>(n)));
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            List<CotTrace> t = traces.subList(from, to);
            List<RecommendationSample> s = samples.subList(from, to);
            for (int k = 0; k < vetoes.size(); k++) {
                vetoResults.get(k).addAll(BatchConfidenceAssessor.assessAll(vetoes.get(k), t, s));
            }
            for (int k = 0; k < scorers.size(); k++) {
                scoreResults.get(k).addAll(BatchConfidenceAssessor.assessAll(scorers.get(k), t, s));
            }
            progress.accept(to - from);
        }
        double weightSum = weights.stream().mapToDouble(Double::doubleValue).sum();
        String[] reasons = new String[n];
        double[] scores = new double[n];
        List<Map<String, Double>> maps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Double> map = new TreeMap<>();
            String reason = null;
            for (List<Assessment> vr : vetoResults) {
                Assessment a = vr.get(i);
                map.putAll(a.scores());
                if (!a.kept() && reason == null) {
                    reason = a.reason();
                }
            }
            if (reason == null && requireValid && !traces.get(i).valid()) {
                reason = INVALID_FORMAT;
            }
            if (reason == null && empty(traces.get(i))) {
                reason = EMPTY_REASONING;
            }
            double score = scorers.isEmpty() ? 1.0 : 0.0;
            for (int k = 0; k < scorers.size(); k++) {
                Assessment a = scoreResults.get(k).get(i);
                map.putAll(a.scores());
                score += weights.get(k) / weightSum * a.score();
            }
            if (reason == null && !Double.isNaN(threshold) && score < threshold) {
                reason = BELOW_THRESHOLD;
            }
            reasons[i] = reason;
            scores[i] = score;
            maps.add(map);
        }
        if (!Double.isNaN(keepFraction) && n > 1) {
            List<Integer> eligible = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (reasons[i] == null) {
                    eligible.add(i);
                }
            }
            eligible.sort(Comparator.<Integer>comparingDouble(i -> -scores[i])
                    .thenComparing(i -> traces.get(i).sampleId()));
            long keep = Math.round(keepFraction * eligible.size());
            for (int j = (int) keep; j < eligible.size(); j++) {
                reasons[eligible.get(j)] = BELOW_THRESHOLD;
            }
        }
        List<Assessment> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String reason = reasons[i] == null ? KEPT : reasons[i];
            out.add(new Assessment(traces.get(i).sampleId(), reasons[i] == null, scores[i], reason, maps.get(i)));
        }
        return out;
    }

    /**
     * Builds a {@link CombinedAssessor}. Optional: vetoes, scorers, a threshold or a keep-fraction (not both), the
     * format requirement (on by default).
     */
    public static final class Builder {
        private final List<ConfidenceAssessor> vetoes = new ArrayList<>();
        private final List<ConfidenceAssessor> scorers = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();
        private double threshold = Double.NaN;
        private double keepFraction = Double.NaN;
        private boolean requireValid = true;

        private Builder() {
        }

        /** Adds an assessor whose rejection vetoes the trace, with its reason. */
        public Builder addVeto(ConfidenceAssessor veto) {
            vetoes.add(veto);
            return this;
        }

        /** Adds a scorer with a positive weight. */
        public Builder addScorer(ConfidenceAssessor scorer, double weight) {
            if (!(weight > 0)) {
                throw new IllegalArgumentException("A scorer's weight must be positive, got " + weight + " for "
                        + scorer.name() + ".");
            }
            scorers.add(scorer);
            weights.add(weight);
            return this;
        }

        /** Keeps traces whose score is at least {@code threshold}. */
        public Builder optThreshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /** Keeps the best {@code fraction} of the eligible traces, in (0, 1]. */
        public Builder optKeepFraction(double fraction) {
            this.keepFraction = fraction;
            return this;
        }

        /** Whether a trace must parse into four steps (default true). */
        public Builder optRequireValidFormat(boolean require) {
            this.requireValid = require;
            return this;
        }

        /** Validates and builds. */
        public CombinedAssessor build() {
            if (!Double.isNaN(threshold) && !Double.isNaN(keepFraction)) {
                throw new IllegalArgumentException("Set a threshold (" + threshold + ") or a keep-fraction ("
                        + keepFraction + "), not both.");
            }
            if (!Double.isNaN(keepFraction) && !(keepFraction > 0 && keepFraction <= 1)) {
                throw new IllegalArgumentException("The keep-fraction must be in (0, 1], got " + keepFraction + ".");
            }
            if (Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("The threshold must be finite, got " + threshold + ".");
            }
            return new CombinedAssessor(this);
        }
    }
}
