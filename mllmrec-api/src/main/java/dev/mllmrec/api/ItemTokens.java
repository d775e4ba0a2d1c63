package dev.mllmrec.api;

import java.util.regex.Pattern;

/** The textual item token {@code [ITEM_<id>]} shared by prompts, answers, tokenizers and rewards. */
public final class ItemTokens {

    /** Matches one item token and captures its id. */
    public static final Pattern TOKEN = Pattern.compile("\\[ITEM_(\\d+)\\]");

    private static final String PREFIX = "[ITEM_";

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
        // Exactly what TOKEN.matcher(text).matches() accepts (\d is ASCII 0-9), without a matcher per call: the
        // tokenizers ask this of every word piece, and most are not item tokens.
        int end = text.length() - 1;
        if (end < PREFIX.length() || !text.startsWith(PREFIX) || text.charAt(end) != ']') {
            return -1;
        }
        for (int i = PREFIX.length(); i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Integer.parseInt(text, PREFIX.length(), end, 10);
        } catch (NumberFormatException e) {
            return -1; // more digits than an int holds
        }
    }
}
