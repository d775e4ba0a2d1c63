package dev.mllmrec.core.data;

import java.util.Locale;

/** Why an input record was rejected; in lenient mode, the key under which skips are counted in a summary. */
public enum SkipReason {
    /** A line that cannot be parsed: wrong field count, a number that is not a number, an unclosed quote. */
    MALFORMED_LINE,
    /** A line that refers to an item id the catalog does not hold. */
    UNKNOWN_ITEM,
    /** An item id defined twice. */
    DUPLICATE_ITEM,
    /** An image file that exists but is empty or cannot be read. */
    UNREADABLE_IMAGE,
    /** A line whose bytes are not valid UTF-8. */
    BAD_ENCODING,
    /** A timestamp outside the sane range (before 1970 or after 2100). */
    BAD_TIMESTAMP;

    /** The summary key, for example {@code unknown-item}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
