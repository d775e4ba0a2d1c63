package dev.mllmrec.core.text;

import java.util.regex.Pattern;

/**
 * The one normalisation rule for every text that enters a prompt from data (titles, genres and attributes from
 * the dataset, captions, chain-of-thought steps), applied where the text is read:
 *
 * <ol>
 *   <li>no line breaks: every run of line or paragraph separators and control characters (with the blanks around
 *       it) becomes one space, so that a value can never start a prompt line of its own;</li>
 *   <li>no item-token look-alikes: {@code [ITEM_5]}, {@code [ item-5 ]}, {@code ITEM_5} and similar are removed, so
 *       that a value is never tokenized or parsed as an item id;</li>
 *   <li>no special tokens: {@code <think>}, {@code </think>}, {@code <pad>}, {@code <eos>}, {@code <unk>},
 *       {@code <s>}, {@code </s>} and {@code <|...|>} are removed;</li>
 *   <li>bounded length: at most {@link Kind#maxChars()} characters, cut at a word boundary.</li>
 * </ol>
 *
 * Text that breaks none of these rules is returned unchanged, character for character (blanks included), so that
 * the prompts and tokens of ordinary data do not move; a value that would become empty is kept as the empty
 * string (the reader decides whether that is an error).
 *
 * <p>Thread-safe: stateless.
 */
public final class PromptText {

    /** The kinds of text, each with its length bound. */
    public enum Kind {
        /** An item title. */
        TITLE(300),
        /** A genre, an attribute value, a short label. */
        ATTRIBUTE(300),
        /** An item caption. */
        CAPTION(2000),
        /** One reasoning step. */
        COT(4000);

        private final int maxChars;

        Kind(int maxChars) {
            this.maxChars = maxChars;
        }

        /** The longest text kept, in characters. */
        public int maxChars() {
            return maxChars;
        }
    }

    private static final Pattern BREAKS = Pattern.compile(
            "[\\h]*[\\r\\n\\u000B\\u000C\\u0085\\u2028\\u2029\\p{Cc}]+[\\h\\r\\n\\u000B\\u000C\\u0085\\u2028\\u2029"
                    + "\\p{Cc}]*");
    private static final Pattern ITEM_LOOKALIKE = Pattern.compile(
            "(?:\\h*(?:(?i:\\[\\s*item\\s*[_\\s-]?\\s*\\d*\\s*\\])|\\bITEM[_\\s-]?\\d+\\b))+\\h*");
    private static final Pattern SPECIAL = Pattern.compile(
            "(?:\\h*(?i:</?think>|<pad>|<eos>|<unk>|</?s>|<\\|[^|<>\\s]{0,40}\\|>))+\\h*");

    private PromptText() {
    }

    /** {@code raw} under the rule for {@code kind}; {@code null} stays {@code null}. */
    public static String normalise(String raw, Kind kind) {
        if (raw == null) {
            return null;
        }
        String s = raw;
        if (BREAKS.matcher(s).find()) {
            s = BREAKS.matcher(s).replaceAll(" ");
        }
        s = removeAll(s, ITEM_LOOKALIKE);
        s = removeAll(s, SPECIAL);
        if (s.length() > kind.maxChars()) {
            int cut = s.lastIndexOf(' ', kind.maxChars());
            s = s.substring(0, cut > kind.maxChars() / 2 ? cut : kind.maxChars()).stripTrailing();
        }
        return s;
    }

    /** Whether {@link #normalise} would change {@code raw}. */
    public static boolean needsNormalising(String raw, Kind kind) {
        return raw != null && !raw.equals(normalise(raw, kind));
    }

    /**
     * A multi-line reasoning text (a chain of thought, one step per line) under the rule for
     * {@link Kind#COT}, line by line: the line structure is kept, each line is normalised.
     */
    public static String reasoning(String raw) {
        if (raw == null) {
            return null;
        }
        String[] lines = raw.split("\n", -1);
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(normalise(lines[i], Kind.COT));
        }
        String s = out.toString();
        return s.equals(raw) ? raw : s;
    }

    /** A title under the rule. */
    public static String title(String raw) {
        return normalise(raw, Kind.TITLE);
    }

    /**
     * Removes every match of {@code p}, leaving one space where the match sat between two other characters and
     * nothing at either end.
     */
    private static String removeAll(String s, Pattern p) {
        var m = p.matcher(s);
        if (!m.find()) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int last = 0;
        do {
            out.append(s, last, m.start());
            boolean between = m.start() > 0 && m.end() < s.length() && out.length() > 0;
            if (between) {
                out.append(' ');
            }
            last = m.end();
        } while (m.find());
        out.append(s, last, s.length());
        return out.toString().strip();
    }
}
