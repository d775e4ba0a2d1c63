package dev.mllmrec.core.cot.augment;

import java.util.Objects;

/**
 * The augmentation decision for one training sample.
 *
 * @param sampleId    the training window
 * @param granularity what was drawn
 * @param reasoning   the text to inject inside the prompt's {@code <think>} block: empty for {@code plain},
 *                    {@code "Step 3: …"} for {@code criteria}, the four {@code Step n:} lines for {@code full}
 */
public record AugmentedSample(String sampleId, Granularity granularity, String reasoning) {

    /** Validates. */
    public AugmentedSample {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(reasoning, "reasoning");
    }
}
