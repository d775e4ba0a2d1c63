package dev.mllmrec.core.sasrec;

import java.util.Map;

/**
 * What one training epoch did; also the record written per epoch to the metrics JSON Lines file.
 *
 * @param epoch      the 1-based epoch
 * @param step       optimizer steps taken so far
 * @param loss       the mean training loss over the epoch's steps
 * @param seconds    seconds since training started
 * @param validation the validator's metrics after this epoch (empty when there is no validator)
 */
public record SasRecEpoch(int epoch, int step, double loss, double seconds, Map<String, Double> validation) {

    /** Copies. */
    public SasRecEpoch {
        validation = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(validation));
    }
}
