package dev.mllmrec.core.prompt;

import dev.mllmrec.core.text.PromptText;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a model's answer into the item it names.
 *
 * <p>Thread-safe: immutable.
 */
public final class AnswerParser {

    /** The reference's answer format, {@code ^\[ITEM_(\d+)\]\s+(.+)$} (from its GRPO reward function). */
    public static final Pattern ANSWER = Pattern.compile("^\\[ITEM_(\\d+)\\]\\s+(.+)$");

    /** The reference's evaluation pattern: the first {@code ITEM_n}, {@code ITEM n} or {@code ITEM-n} anywhere. */
    public static final Pattern ANY_ITEM = Pattern.compile("ITEM[_\\s-]?(\\d+)");

    private static final String THINK_CLOSE = "</think>";

    /** How strict parsing is. */
    public enum Mode {
        /**
         * The whole answer must match {@link #ANSWER}: the text after the last {@code </think>} (or all of it when
         * there is none), trimmed. Fits models that reason first, then answer.
         */
        STRICT,
        /**
         * Exactly the reference GRPO reward's check: the text before the first {@code </think>}, trimmed, must match
         * {@link #ANSWER}. Fits the reference's "answer first, then {@code <think> ... </think>}" guideline.
         */
        REFERENCE,
        /** The first item mention anywhere ({@link #ANY_ITEM}, as the reference's evaluation script); no title. */
        LENIENT
    }

    /**
     * A parsed answer.
     *
     * @param itemId the named item, or {@code -1} when its digits do not fit an {@code int} (the format is still
     *               valid, as for the reference's regex, but no catalog item can match)
     * @param title  the title text after the token, or {@code null} in lenient mode
     */
    public record Answer(int itemId, String title) {
    }

    private final Mode mode;

    /** A parser in {@code mode}. */
    public AnswerParser(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** A {@link Mode#STRICT} parser. */
    public static AnswerParser strict() {
        return new AnswerParser(Mode.STRICT);
    }

    /** A {@link Mode#LENIENT} parser. */
    public static AnswerParser lenient() {
        return new AnswerParser(Mode.LENIENT);
    }

    /** This parser's mode. */
    public Mode mode() {
        return mode;
    }

    /** The item named by {@code text}, or empty when it does not parse in this mode. */
    public Optional<Answer> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (mode) {
            case STRICT -> {
                int at = text.lastIndexOf(THINK_CLOSE);
                yield matchAnswer(at < 0 ? text : text.substring(at + THINK_CLOSE.length()));
            }
            case REFERENCE -> {
                int at = text.indexOf(THINK_CLOSE);
                yield matchAnswer(at < 0 ? text : text.substring(0, at));
            }
            case LENIENT -> {
                Matcher m = ANY_ITEM.matcher(text);
                yield m.find() ? toId(m.group(1)).map(id -> new Answer(id, null)) : Optional.empty();
            }
        };
    }

    /**
     * The item named by {@code text}, or, when {@code text} names no item token but only a title, the one
     * candidate whose title it is. A title-only answer is resolved only when it is unambiguous: exactly one
     * candidate's title (under {@link PromptText}, ignoring case and runs of blanks) equals the answer's text;
     * two candidates with the same title, or none, leave it unresolved.
     *
     * @param titles the candidates' titles by item id
     */
    public Optional<Answer> parse(String text, Map<Integer, String> titles) {
        Optional<Answer> named = parse(text);
        if (named.isPresent() || text == null || mode == Mode.LENIENT && ANY_ITEM.matcher(text).find()) {
            return named;
        }
        int at = text.lastIndexOf(THINK_CLOSE);
        String answer = comparable(mode == Mode.REFERENCE ? (text.indexOf(THINK_CLOSE) < 0 ? text
                : text.substring(0, text.indexOf(THINK_CLOSE))) : at < 0 ? text : text.substring(at + THINK_CLOSE.length()));
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        int found = -1;
        for (Map.Entry<Integer, String> e : titles.entrySet()) {
            if (e.getValue() != null && comparable(e.getValue()).equals(answer)) {
                if (found >= 0) {
                    return Optional.empty(); // ambiguous: two candidates carry this title
                }
                found = e.getKey();
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(new Answer(found, text.strip()));
    }

    private static String comparable(String s) {
        return PromptText.title(s).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** The id named by {@code text}, or {@code -1} when it does not parse or names no representable id. */
    public int parseId(String text) {
        return parse(text).map(Answer::itemId).orElse(-1);
    }

    private static Optional<Answer> matchAnswer(String text) {
        Matcher m = ANSWER.matcher(text.strip());
        if (!m.find()) {
            return Optional.empty();
        }
        String title = m.group(2);
        return toId(m.group(1)).map(id -> new Answer(id, title));
    }

    private static Optional<Integer> toId(String digits) {
        try {
            return Optional.of(Integer.parseInt(digits));
        } catch (NumberFormatException e) {
            // The format is valid (as the reference's regex says) but the id names no representable item.
            return Optional.of(-1);
        }
    }
}
