package dev.mllmrec.grpo.advantage;

import ai.djl.ndarray.NDArray;

/**
 * The advantages of a batch of groups as DJL arrays, attached to the manager of the rewards they came from.
 *
 * @param advantages   shape {@code (B*G)}, group-major
 * @param groupMeans   shape {@code (B)}
 * @param groupStds    shape {@code (B)}, sample standard deviations
 * @param zeroVariance shape {@code (B)}, boolean: the group's rewards are all equal
 */
public record DjlGroupAdvantages(NDArray advantages, NDArray groupMeans, NDArray groupStds, NDArray zeroVariance) {

    /** How many groups had all rewards equal (reads one number from the device). */
    public int zeroVarianceGroups() {
        return (int) zeroVariance.countNonzero().getLong();
    }
}
