package dev.mllmrec.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The textual item token {@code [ITEM_<id>]} shared by prompts, answers, tokenizers and rewards. */
public final class ItemTokens {

    /** Matches one item token and captures its id. */
    public static final Pattern TOKEN = Pattern.compile("\\[ITEM_(\\d+)\\]");

    private ItemTokens() {
    }

    /** Returns {@code [ITEM_<id>]}. */
    public static String token(int id) {
        return "[ITEM_" + id + "]";
    }

    /**
     * Parses a whole item token.
     *
     * @return the id, or {@code -1} when {@code text} is not exactly one item token
     */
    public static int parse(String text) {
        Matcher m = TOKEN.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
