package dev.mllmrec.core.cot.io;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.CotTrace;
import java.util.Objects;

/**
 * One line of {@code W/cot_assessed.jsonl}: a trace and the decision on it.
 *
 * @param trace      the trace as in {@code W/cot.jsonl}
 * @param assessment the combined assessment
 */
public record AssessedCot(CotTrace trace, Assessment assessment) {

    /** Validates. */
    public AssessedCot {
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(assessment, "assessment");
        if (!trace.sampleId().equals(assessment.sampleId())) {
            throw new IllegalArgumentException("Trace of sample " + trace.sampleId() + " paired with the assessment"
                    + " of sample " + assessment.sampleId() + ".");
        }
    }
}
