package dev.mllmrec.api;

import java.util.List;
import java.util.Objects;

/**
 * A chain-of-thought text about a user's next intent, with its parsed steps.
 *
 * @param sampleId    the training window it reasons about
 * @param generatorId the generator that wrote it
 * @param text        the raw text, kept even when malformed
 * @param steps       the parsed steps 1..4 (empty when the text did not parse)
 * @param valid       whether the text parsed into exactly four non-empty steps
 */
public record CotTrace(String sampleId, String generatorId, String text, List<String> steps, boolean valid) {

    /** Validates and copies. */
    public CotTrace {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(generatorId, "generatorId");
        Objects.requireNonNull(text, "text");
        steps = List.copyOf(steps);
    }

    /** Step {@code n} (1-based), or the empty string when absent. */
    public String step(int n) {
        return n >= 1 && n <= steps.size() ? steps.get(n - 1) : "";
    }
}
