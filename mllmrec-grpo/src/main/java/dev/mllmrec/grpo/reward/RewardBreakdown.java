package dev.mllmrec.grpo.reward;

import java.util.List;

/**
 * One completion's weighted total reward and the unweighted reward of each component.
 *
 * @param total      {@code sum_i weight_i * components[i]}
 * @param names      the component names, in the order of {@code components}
 * @param components each reward function's raw (unweighted) value
 */
public record RewardBreakdown(double total, List<String> names, double[] components) {

    /** Copies. */
    public RewardBreakdown {
        names = List.copyOf(names);
        components = components.clone();
        if (names.size() != components.length) {
            throw new IllegalArgumentException("There are " + names.size() + " names for " + components.length
                    + " components.");
        }
    }

    /** A copy of the raw component values. */
    @Override
    public double[] components() {
        return components.clone();
    }

    /** The raw value of the component named {@code name}. */
    public double component(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("No reward component is named '" + name + "'; there are " + names
                    + ".");
        }
        return components[i];
    }
}
