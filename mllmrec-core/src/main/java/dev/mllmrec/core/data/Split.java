package dev.mllmrec.core.data;

import java.util.Locale;

/** The leave-one-out splits of a user's sequence. */
public enum Split {
    /** Sliding windows over the sequence without its last two items. */
    TRAIN,
    /** The second-to-last item. */
    VALIDATION,
    /** The last item. */
    TEST;

    /** The lower-case name used in file names and sample ids, for example {@code validation}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code train}, {@code validation} (or {@code valid}, {@code val}) and {@code test}, ignoring case.
     *
     * @throws IllegalArgumentException naming the value when it is none of these
     */
    public static Split parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "train", "training" -> TRAIN;
            case "validation", "valid", "val" -> VALIDATION;
            case "test" -> TEST;
            default -> throw new IllegalArgumentException("Unknown split '" + text
                    + "'; expected train, validation or test.");
        };
    }
}
