package dev.mllmrec.core.data;

import dev.mllmrec.api.InvalidDataException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policy for bad input records. In strict mode (the default) the first bad record is thrown as an
 * {@link InvalidDataException} naming the file, the line and the value. In lenient mode the record is skipped and
 * counted by {@link SkipReason}, so that a summary can report every skip: never a silent drop.
 *
 * <p>Not thread-safe: one instance serves one reading thread.
 */
public final class DataIssues {

    private final boolean lenient;
    private final Map<SkipReason, Long> counts = new EnumMap<>(SkipReason.class);
    private final Map<SkipReason, String> firstMessage = new EnumMap<>(SkipReason.class);

    private DataIssues(boolean lenient) {
        this.lenient = lenient;
    }

    /** Throws on the first bad record. */
    public static DataIssues strict() {
        return new DataIssues(false);
    }

    /** Skips and counts bad records. */
    public static DataIssues lenient() {
        return new DataIssues(true);
    }

    /** Strict or lenient. */
    public static DataIssues of(boolean lenient) {
        return new DataIssues(lenient);
    }

    /** Whether bad records are skipped rather than thrown. */
    public boolean isLenient() {
        return lenient;
    }

    /**
     * Reports a bad record.
     *
     * @throws InvalidDataException {@code problem}, in strict mode
     */
    public void report(SkipReason reason, InvalidDataException problem) {
        if (!lenient) {
            throw problem;
        }
        counts.merge(reason, 1L, Long::sum);
        firstMessage.putIfAbsent(reason, problem.getMessage());
    }

    /** Skips per reason, keyed by {@link SkipReason#key()}, in declaration order; reasons never seen are absent. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((r, n) -> out.put(r.key(), n));
        return Collections.unmodifiableMap(out);
    }

    /** The message of the first skip per reason, keyed like {@link #counts()}. */
    public Map<String, String> examples() {
        Map<String, String> out = new LinkedHashMap<>();
        firstMessage.forEach((r, m) -> out.put(r.key(), m));
        return Collections.unmodifiableMap(out);
    }

    /** The number of skips of one reason. */
    public long count(SkipReason reason) {
        return counts.getOrDefault(reason, 0L);
    }

    /** The number of skipped records in all. */
    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
