package dev.mllmrec.grpo.reward;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer part of a completion, parsed the way the MLLMRec-R1 reference implementation parses it.
 *
 * <p>The reference (Python) does {@code answer = completion.split("</think>")[-1].strip()} and then
 * {@code re.match(r"^\[ITEM_(\d+)\]\s+(.+)$", answer)} with no flags, taking {@code int(group(1))} as the item id.
 * {@link #parse(String)} reproduces that exactly, by hand rather than with {@link java.util.regex}, because Java's and
 * Python's regex classes differ:
 *
 * <ul>
 *   <li>the completion is cut after the <em>last</em> {@code </think>}; without one, the whole completion is the
 *       answer;</li>
 *   <li>{@code strip()} removes leading and trailing characters for which Python's {@code str.isspace()} is true
 *       ({@link #isPythonSpace(int)}; this includes U+0085, U+00A0, U+001C..U+001F that Java's
 *       {@code String.strip()} treats differently);</li>
 *   <li>the stripped answer must start with {@code [ITEM_}, then one or more decimal digits (Unicode category Nd, as
 *       Python's {@code \d}), then {@code ]};</li>
 *   <li>then one or more whitespace characters (Python {@code \s}, the same set as {@code isspace()}); they may
 *       include line breaks;</li>
 *   <li>then the title: everything that is left, at least one character, and it must not contain {@code '\n'}
 *       (Python's {@code .} without {@code DOTALL} matches anything but {@code '\n'}, and {@code $} without
 *       {@code MULTILINE} only matches at the end of the stripped text). So {@code "[ITEM_3] Heat\nextra"} is
 *       malformed, while {@code "[ITEM_3]\n  Heat"} is well formed with title {@code "Heat"}; a {@code '\r'} inside
 *       the title is allowed, as in Python.</li>
 * </ul>
 *
 * <p>Leading zeros are allowed ({@code [ITEM_007]} is item 7, as {@code int("007")} is 7). An id too large for an
 * {@code int} is still a well-formed answer; its {@link #itemId()} is {@link #ID_OUT_OF_RANGE}, which equals no
 * item. Instances are immutable.
 *
 * @param itemId the answered item id, or {@link #ID_OUT_OF_RANGE}
 * @param title  the title text after the item token and the whitespace run that follows it
 */
public record ParsedAnswer(int itemId, String title) {

    /** The reference pattern, applied with Python {@code re.match} semantics (see the class comment). */
    public static final String REFERENCE_PATTERN = "^\\[ITEM_(\\d+)\\]\\s+(.+)$";

    /** The end-of-reasoning marker; the answer is what follows its last occurrence. */
    public static final String THINK_END = "</think>";

    /** The {@link #itemId()} of a well-formed answer whose id does not fit in an {@code int}. */
    public static final int ID_OUT_OF_RANGE = -1;

    private static final String PREFIX = "[ITEM_";

    /** Validates. */
    public ParsedAnswer {
        Objects.requireNonNull(title, "title");
    }

    /**
     * Parses the answer of a completion.
     *
     * @param completion the generated text (after the prompt)
     * @return the answer, or empty when it does not match the reference pattern
     */
    public static Optional<ParsedAnswer> parse(String completion) {
        Objects.requireNonNull(completion, "completion");
        return parseAnswerText(pythonStrip(answerText(completion)));
    }

    /** The text after the last {@code </think>}, or the whole completion when there is none (not stripped). */
    public static String answerText(String completion) {
        int cut = completion.lastIndexOf(THINK_END);
        return cut < 0 ? completion : completion.substring(cut + THINK_END.length());
    }

    /** Applies the reference pattern with {@code re.match} semantics to an already stripped answer. */
    static Optional<ParsedAnswer> parseAnswerText(String s) {
        if (!s.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int i = PREFIX.length();
        int n = s.length();
        long id = 0;
        boolean overflow = false;
        int digits = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER) {
                break;
            }
            if (!overflow) {
                id = id * 10 + Character.digit(cp, 10);
                overflow = id > Integer.MAX_VALUE;
            }
            digits++;
            i += Character.charCount(cp);
        }
        if (digits == 0 || i >= n || s.charAt(i) != ']') {
            return Optional.empty();
        }
        i++;
        int spaceStart = i;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (!isPythonSpace(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == spaceStart || i == n) {
            return Optional.empty();
        }
        String title = s.substring(i);
        if (title.indexOf('\n') >= 0) {
            return Optional.empty();
        }
        return Optional.of(new ParsedAnswer(overflow ? ID_OUT_OF_RANGE : (int) id, title));
    }

    /** Python's {@code str.strip()} with no argument. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end) {
            int cp = s.codePointAt(start);
            if (!isPythonSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        while (end > start) {
            int cp = s.codePointBefore(end);
            if (!isPythonSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(start, end);
    }

    /**
     * Python's {@code str.isspace()} for one code point (also the set matched by {@code \s} in a {@code str}
     * pattern): ASCII {@code \t \n \u000B \f \r}, U+001C..U+001F, space, U+0085, U+00A0, U+1680, U+2000..U+200A,
     * U+2028, U+2029, U+202F, U+205F and U+3000.
     */
    public static boolean isPythonSpace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', 0x1C, 0x1D, 0x1E, 0x1F, ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029,
                    0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }
}
