package dev.mllmrec.core.data;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.text.PromptText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    private final Map<String, Map<String, Long>> perFile = new TreeMap<>();
    private final Map<String, List<String>> perFileExamples = new TreeMap<>();
    private final Map<String, Long> normalised = new TreeMap<>();
    private final Map<String, String> normalisedExamples = new TreeMap<>();

    /** How many example messages are kept per file. */
    public static final int EXAMPLES_PER_FILE = 3;

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
        report(reason, problem, 1);
    }

    /**
     * Reports a bad record that spans {@code lines} physical lines of its file (a quoted field left open swallows
     * the lines up to the next quote).
     *
     * @throws InvalidDataException {@code problem}, in strict mode
     */
    public void report(SkipReason reason, InvalidDataException problem, long lines) {
        if (!lenient) {
            throw problem;
        }
        counts.merge(reason, 1L, Long::sum);
        firstMessage.putIfAbsent(reason, problem.getMessage());
        String file = problem.file() == null ? "?" : Path.of(problem.file()).getFileName().toString();
        Map<String, Long> c = perFile.computeIfAbsent(file, f -> new TreeMap<>());
        c.merge("records", 1L, Long::sum);
        c.merge("lines", Math.max(lines, 0), Long::sum);
        c.merge(reason.key(), 1L, Long::sum);
        List<String> ex = perFileExamples.computeIfAbsent(file, f -> new ArrayList<>());
        if (ex.size() < EXAMPLES_PER_FILE) {
            ex.add(problem.getMessage());
        }
    }

    /**
     * {@code raw} under the prompt-text rule ({@link PromptText}); a value the rule changes is counted under
     * {@code file:field} (in strict and lenient mode alike: a changed value is not a dropped record).
     */
    public String normalise(Path file, String field, String raw, PromptText.Kind kind) {
        String clean = PromptText.normalise(raw, kind);
        if (clean != null && !clean.equals(raw)) {
            String key = file.getFileName() + ":" + field;
            normalised.merge(key, 1L, Long::sum);
            normalisedExamples.putIfAbsent(key, Json.line(raw) + " -> " + Json.line(clean));
        }
        return clean;
    }

    /**
     * Dropped records per file name: {@code records} (records dropped), {@code lines} (physical lines they
     * spanned) and the count per {@link SkipReason#key()}; files without drops are absent.
     */
    public Map<String, Map<String, Long>> dropped() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        perFile.forEach((f, c) -> out.put(f, Collections.unmodifiableMap(new LinkedHashMap<>(c))));
        return Collections.unmodifiableMap(out);
    }

    /** Up to {@value #EXAMPLES_PER_FILE} messages of dropped records per file name. */
    public Map<String, List<String>> droppedExamples() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        perFileExamples.forEach((f, e) -> out.put(f, List.copyOf(e)));
        return Collections.unmodifiableMap(out);
    }

    /** Values changed by the prompt-text rule, per {@code file:field}. */
    public Map<String, Long> normalised() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(normalised));
    }

    /** The first value changed per {@code file:field}, as {@code "raw" -> "clean"}. */
    public Map<String, String> normalisedExamples() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(normalisedExamples));
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
