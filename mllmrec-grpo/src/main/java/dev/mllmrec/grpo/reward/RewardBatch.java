package dev.mllmrec.grpo.reward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rewards of a generation batch in group-major order (prompt {@code p}'s {@code G} completions are at
 * {@code p*G .. p*G+G-1}): the weighted totals, which feed the advantage estimator, and each component's raw values,
 * for logging.
 *
 * @param names      component names
 * @param totals     weighted total per completion
 * @param components {@code components[i][c]} is component {@code i}'s raw reward of completion {@code c}
 */
public record RewardBatch(List<String> names, float[] totals, float[][] components) {

    /** Copies. */
    public RewardBatch {
        names = List.copyOf(names);
        totals = totals.clone();
        float[][] copy = new float[components.length][];
        for (int i = 0; i < components.length; i++) {
            copy[i] = components[i].clone();
            if (copy[i].length != totals.length) {
                throw new IllegalArgumentException("Component " + i + " has " + copy[i].length + " values for "
                        + totals.length + " completions.");
            }
        }
        components = copy;
        if (names.size() != components.length) {
            throw new IllegalArgumentException("There are " + names.size() + " names for " + components.length
                    + " components.");
        }
    }

    /** A copy of the totals. */
    @Override
    public float[] totals() {
        return totals.clone();
    }

    /** A copy of the component values. */
    @Override
    public float[][] components() {
        float[][] copy = new float[components.length][];
        for (int i = 0; i < components.length; i++) {
            copy[i] = components[i].clone();
        }
        return copy;
    }

    /**
     * This batch with one more component, added to the totals with weight 1 (for example the ranked-list credit
     * the trainer computes from the rollout's lists rather than from the completion text).
     */
    public RewardBatch plus(String name, float[] values) {
        if (values.length != totals.length) {
            throw new IllegalArgumentException("Component " + name + " has " + values.length + " values for "
                    + totals.length + " completions.");
        }
        List<String> n = new ArrayList<>(names);
        n.add(name);
        float[] t = totals.clone();
        for (int c = 0; c < t.length; c++) {
            t[c] += values[c];
        }
        float[][] comps = Arrays.copyOf(components, components.length + 1);
        comps[components.length] = values;
        return new RewardBatch(n, t, comps);
    }

    /** The number of completions. */
    public int size() {
        return totals.length;
    }

    /**
     * Metrics by name: {@code reward/mean}, {@code reward/std} and {@code rewards/<name>/mean},
     * {@code rewards/<name>/std} for each component; std is the sample standard deviation (n − 1), as TRL logs it,
     * and 0 for a single completion.
     */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("reward/mean", mean(totals));
        out.put("reward/std", std(totals));
        for (int i = 0; i < names.size(); i++) {
            out.put("rewards/" + names.get(i) + "/mean", mean(components[i]));
            out.put("rewards/" + names.get(i) + "/std", std(components[i]));
        }
        return out;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static double std(float[] v) {
        if (v.length < 2) {
            return v.length == 0 ? Double.NaN : 0.0;
        }
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
