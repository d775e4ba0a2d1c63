package dev.mllmrec.core.cot;

import dev.mllmrec.api.Item;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The categorical attributes the built-in reasoning works with: an item's genres, the decade of the year in its
 * title ({@code Heat (1995)} → {@code 1990s}), and the colour/tone and mood words of its caption, found with a fixed
 * lexicon. Also renders an item as the text a sentence encoder compares with the criteria.
 *
 * <p>Thread-safe: stateless.
 */
public final class ItemAttributes {

    /** An attribute family. */
    public enum Kind {
        /** A catalog genre, lower-cased. */
        GENRE,
        /** The release decade, for example {@code 1990s}. */
        DECADE,
        /** A colour or tone word of the caption. */
        VISUAL,
        /** A mood word of the caption. */
        MOOD,
        /**
         * A distinctive word of the title, lower-cased: the reasoning's material on catalogs without genres
         * (text-only data such as short-video titles), see {@link #keywords}.
         */
        KEYWORD
    }

    /**
     * One attribute value.
     *
     * @param kind  its family
     * @param value its value, lower-case
     */
    public record Attribute(Kind kind, String value) implements Comparable<Attribute> {

        @Override
        public int compareTo(Attribute o) {
            int c = kind.compareTo(o.kind);
            return c != 0 ? c : value.compareTo(o.value);
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + ":" + value;
        }
    }

    private static final Pattern YEAR = Pattern.compile("\\((\\d{4})(?:[-–]\\d{0,4})?\\)\\s*$");
    private static final Pattern WORD = Pattern.compile("[a-z]+(?:-[a-z]+)*");

    /** Caption words that describe colour or tone, mapped to a canonical form. */
    private static final Map<String, String> VISUAL_WORDS = lexicon(
            "red", "red", "crimson", "red", "scarlet", "red", "orange", "orange", "yellow", "yellow",
            "gold", "gold", "golden", "gold", "green", "green", "blue", "blue", "navy", "blue", "teal", "teal",
            "cyan", "teal", "purple", "purple", "violet", "purple", "pink", "pink", "brown", "brown",
            "beige", "beige", "black", "black", "white", "white", "grey", "grey", "gray", "grey", "silver", "silver",
            "dark", "dark", "bright", "bright", "pastel", "pastel", "muted", "muted", "vivid", "vivid",
            "saturated", "vivid", "colorful", "colourful", "colourful", "colourful", "monochrome", "monochrome",
            "high-contrast", "high-contrast", "neon", "neon", "warm", "warm", "cool", "cool", "shadowy", "dark",
            "sepia", "sepia", "low-key", "dark", "high-key", "bright",
            // the built-in textualizer's colour names and their alternatives, folded onto the basic ones
            "charcoal", "grey", "slate", "grey", "ash", "grey", "jet", "black", "ivory", "white", "cream", "beige",
            "sand", "beige", "tan", "brown", "camel", "brown", "chestnut", "brown", "umber", "brown",
            "maroon", "red", "wine", "red", "vermilion", "red", "coral", "orange", "salmon", "pink", "rose", "pink",
            "magenta", "pink", "fuchsia", "pink", "lavender", "purple", "lilac", "purple", "cobalt", "blue",
            "steel", "blue", "sky", "blue", "petrol", "teal", "turquoise", "teal", "aqua", "teal",
            "emerald", "green", "olive", "green", "khaki", "green", "lime", "green", "chartreuse", "green",
            "mustard", "gold", "lemon", "yellow", "tangerine", "orange", "rust", "orange", "copper", "orange");

    /** Caption words that describe mood, mapped to a canonical form. */
    private static final Map<String, String> MOOD_WORDS = lexicon(
            "eerie", "eerie", "ominous", "ominous", "menacing", "menacing", "sinister", "menacing",
            "tense", "tense", "suspenseful", "tense", "dramatic", "dramatic", "romantic", "romantic",
            "tender", "romantic", "playful", "playful", "whimsical", "whimsical", "cheerful", "cheerful",
            "joyful", "cheerful", "happy", "cheerful", "gloomy", "gloomy", "melancholic", "melancholic",
            "melancholy", "melancholic", "sad", "melancholic", "mysterious", "mysterious", "nostalgic", "nostalgic",
            "serene", "calm", "calm", "calm", "peaceful", "calm", "energetic", "energetic", "dynamic", "energetic",
            "epic", "epic", "heroic", "heroic", "gritty", "gritty", "dreamy", "dreamy", "intimate", "intimate",
            "chaotic", "chaotic", "violent", "violent", "quirky", "quirky", "elegant", "elegant",
            "festive", "festive", "somber", "gloomy", "sombre", "gloomy", "moody", "moody", "adventurous",
            "adventurous", "futuristic", "futuristic", "haunting", "eerie", "spooky", "eerie", "comic", "playful",
            "funny", "playful");

    private ItemAttributes() {
    }

    private static Map<String, String> lexicon(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return Map.copyOf(m);
    }

    /**
     * Every word the built-in reasoning may write about an item: the canonical and source colour, tone and mood
     * words (not the genres, which come from the catalog).
     */
    public static Set<String> vocabulary() {
        Set<String> out = new java.util.TreeSet<>();
        out.addAll(VISUAL_WORDS.keySet());
        out.addAll(VISUAL_WORDS.values());
        out.addAll(MOOD_WORDS.keySet());
        out.addAll(MOOD_WORDS.values());
        return Set.copyOf(out);
    }

    private static final Pattern TITLE_WORD = Pattern.compile("[\\p{L}][\\p{L}\\p{N}'-]*[\\p{L}\\p{N}]");
    private static final Set<String> STOPWORDS = Set.of("the", "and", "for", "with", "from", "that", "this",
            "you", "your", "are", "was", "were", "not", "but", "all", "its", "his", "her", "our", "their", "they",
            "have", "has", "had", "how", "what", "who", "why", "when", "where", "will", "can", "into", "out", "about",
            "part", "les", "des", "der", "die", "das", "und", "una", "los", "las", "del");
    /** The most keywords taken from one title. */
    public static final int MAX_KEYWORDS = 4;

    /**
     * Up to {@link #MAX_KEYWORDS} distinctive words of the item's title (without its year): letters first, at least
     * three characters, no stop word, lower-cased, in title order.
     */
    public static List<Attribute> keywords(Item item) {
        Set<Attribute> out = new LinkedHashSet<>();
        Matcher m = TITLE_WORD.matcher(titleWithoutYear(item.title()).toLowerCase(Locale.ROOT));
        while (m.find() && out.size() < MAX_KEYWORDS) {
            String w = m.group();
            if (w.codePointCount(0, w.length()) >= 3 && !STOPWORDS.contains(w)) {
                out.add(new Attribute(Kind.KEYWORD, w));
            }
        }
        return List.copyOf(out);
    }

    /** The release year in the title's trailing parentheses, or {@code -1}. */
    public static int year(String title) {
        Matcher m = YEAR.matcher(title);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The title without its trailing year, for example {@code Heat} for {@code Heat (1995)}. */
    public static String titleWithoutYear(String title) {
        return YEAR.matcher(title).replaceFirst("").strip();
    }

    /** The attributes of {@code item} with {@code caption} ({@code null} or empty when it has none), sorted. */
    public static List<Attribute> of(Item item, String caption) {
        Set<Attribute> out = new LinkedHashSet<>();
        for (String g : item.genres()) {
            String v = g.strip().toLowerCase(Locale.ROOT);
            if (!v.isEmpty() && !v.startsWith("(no genres")) {
                out.add(new Attribute(Kind.GENRE, v));
            }
        }
        int year = year(item.title());
        if (year > 0) {
            out.add(new Attribute(Kind.DECADE, (year / 10 * 10) + "s"));
        }
        if (caption != null && !caption.isBlank()) {
            Matcher m = WORD.matcher(caption.toLowerCase(Locale.ROOT));
            while (m.find()) {
                String w = m.group();
                String visual = VISUAL_WORDS.get(w);
                if (visual != null) {
                    out.add(new Attribute(Kind.VISUAL, visual));
                }
                String mood = MOOD_WORDS.get(w);
                if (mood != null) {
                    out.add(new Attribute(Kind.MOOD, mood));
                }
                for (String part : w.split("-")) {
                    if (part.length() < w.length()) {
                        String pv = VISUAL_WORDS.get(part);
                        if (pv != null) {
                            out.add(new Attribute(Kind.VISUAL, pv));
                        }
                    }
                }
            }
        }
        List<Attribute> sorted = new ArrayList<>(out);
        sorted.sort(null);
        return List.copyOf(sorted);
    }

    /**
     * The text of a candidate as an encoder sees it: the title without its year, the genres, the release decade
     * and the caption, for example {@code "Heat. Genres: action, crime, thriller. Released in the 1990s. A dark
     * poster…"}. The decade is spelled as criteria spell it so that "1990s" can match.
     */
    public static String candidateText(Item item, String caption) {
        StringBuilder sb = new StringBuilder(titleWithoutYear(item.title())).append('.');
        List<String> genres = item.genres().stream().map(g -> g.toLowerCase(Locale.ROOT))
                .filter(g -> !g.startsWith("(no genres")).toList();
        if (!genres.isEmpty()) {
            sb.append(" Genres: ").append(String.join(", ", genres)).append('.');
        }
        int year = year(item.title());
        if (year > 0) {
            sb.append(" Released in the ").append(year / 10 * 10).append("s.");
        }
        if (caption != null && !caption.isBlank()) {
            sb.append(' ').append(caption.strip());
        }
        return sb.toString();
    }
}
