package dev.mllmrec.grpo.reward;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.RewardFunction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Several reward functions combined with weights: the total is {@code sum_i w_i * r_i} (TRL's
 * {@code reward_weights}), and each raw {@code r_i} is kept so it can be logged separately. It is itself a
 * {@link RewardFunction} whose value is the total. Immutable and thread-safe when its components are.
 */
public final class WeightedRewards implements RewardFunction {

    private final String name;
    private final List<RewardFunction> functions;
    private final double[] weights;
    private final List<String> names;

    private WeightedRewards(String name, List<RewardFunction> functions, double[] weights) {
        this.name = name;
        this.functions = List.copyOf(functions);
        this.weights = weights.clone();
        this.names = this.functions.stream().map(RewardFunction::name).toList();
    }

    /** A builder; add at least one reward function. */
    public static Builder builder() {
        return new Builder();
    }

    /** A single reward function with weight 1. */
    public static WeightedRewards of(RewardFunction function) {
        return builder().add(function, 1.0).build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The component names in order. */
    public List<String> names() {
        return names;
    }

    /** A copy of the weights in component order. */
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public double reward(String completion, RecommendationSample sample) {
        return score(completion, sample).total();
    }

    /** Scores one completion: the weighted total and each component's raw value. */
    public RewardBreakdown score(String completion, RecommendationSample sample) {
        double[] values = new double[functions.size()];
        double total = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = functions.get(i).reward(completion, sample);
            total += weights[i] * values[i];
        }
        return new RewardBreakdown(total, names, values);
    }

    /**
     * Scores a generation batch in group-major order: completion {@code c} belongs to prompt {@code c / groupSize}.
     *
     * @param prompts     the samples, one per prompt
     * @param completions {@code prompts.size() * groupSize} completions
     * @param groupSize   completions per prompt (G)
     */
    public RewardBatch scoreGroups(List<RecommendationSample> prompts, List<String> completions, int groupSize) {
        if (groupSize < 1) {
            throw new IllegalArgumentException("The group size must be at least 1, got " + groupSize + ".");
        }
        if ((long) prompts.size() * groupSize != completions.size()) {
            throw new IllegalArgumentException("Expected " + prompts.size() + " prompts x " + groupSize + " = "
                    + (long) prompts.size() * groupSize + " completions, got " + completions.size() + ".");
        }
        int n = completions.size();
        float[] totals = new float[n];
        float[][] comps = new float[functions.size()][n];
        for (int c = 0; c < n; c++) {
            RecommendationSample sample = prompts.get(c / groupSize);
            double total = 0;
            for (int i = 0; i < functions.size(); i++) {
                double r = functions.get(i).reward(completions.get(c), sample);
                comps[i][c] = (float) r;
                total += weights[i] * r;
            }
            totals[c] = (float) total;
        }
        return new RewardBatch(names, totals, comps);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("WeightedRewards[").append(name);
        for (int i = 0; i < names.size(); i++) {
            sb.append(", ").append(names.get(i)).append('=').append(weights[i]);
        }
        return sb.append(']').toString();
    }

    /** Builds {@link WeightedRewards}. Not thread-safe. */
    public static final class Builder {
        private String name = "reward";
        private final List<RewardFunction> functions = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();

        private Builder() {
        }

        /** Adds a component with its weight. */
        public Builder add(RewardFunction function, double weight) {
            functions.add(Objects.requireNonNull(function, "function"));
            weights.add(weight);
            return this;
        }

        /** The name of the total (default {@code reward}). */
        public Builder optName(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Validates and builds. */
        public WeightedRewards build() {
            if (functions.isEmpty()) {
                throw new IllegalArgumentException("Add at least one reward function.");
            }
            Set<String> seen = new HashSet<>();
            double[] w = new double[weights.size()];
            for (int i = 0; i < w.length; i++) {
                String n = functions.get(i).name();
                if (!seen.add(n)) {
                    throw new IllegalArgumentException("Two reward functions are named '" + n
                            + "'; names must be distinct so each can be logged.");
                }
                w[i] = weights.get(i);
                if (!Double.isFinite(w[i])) {
                    throw new IllegalArgumentException("The weight of reward '" + n + "' must be finite, got " + w[i]
                            + ".");
                }
            }
            return new WeightedRewards(name, functions, w);
        }
    }
}
