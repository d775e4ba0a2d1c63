package dev.mllmrec.api;

import java.util.Map;
import java.util.Objects;

/**
 * A confidence-aware assessor's decision on one chain-of-thought.
 *
 * @param sampleId the training window
 * @param kept     whether the trace is reliable enough to inject
 * @param score    the combined confidence score (higher is more reliable)
 * @param reason   why it was kept or rejected, for example {@code leak:title}
 * @param scores   each assessor's score by name
 */
public record Assessment(String sampleId, boolean kept, double score, String reason, Map<String, Double> scores) {

    /** Validates and copies. */
    public Assessment {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(reason, "reason");
        scores = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(scores)); // a fixed JSON key order
    }
}
