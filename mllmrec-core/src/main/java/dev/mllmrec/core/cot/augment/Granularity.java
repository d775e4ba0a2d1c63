package dev.mllmrec.core.cot.augment;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How much reasoning a training prompt carries. */
public enum Granularity {
    /** No reasoning. */
    @JsonProperty("plain") PLAIN,
    /** Only Step 3, the retrieval criteria. */
    @JsonProperty("criteria") CRITERIA,
    /** All four steps. */
    @JsonProperty("full") FULL
}
