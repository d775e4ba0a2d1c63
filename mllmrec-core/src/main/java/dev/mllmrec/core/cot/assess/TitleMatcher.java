package dev.mllmrec.core.cot.assess;

import dev.mllmrec.core.cot.ItemAttributes;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds mentions of an item title in free text, tolerant to case, punctuation, accents, year suffixes and
 * articles. A title yields several <em>variants</em>: the main title and any parenthesised alternative
 * ({@code Seven (a.k.a. Se7en) (1995)} → "seven", "se7en"), each with a trailing article moved to the front,
 * dropped, and kept in the catalog's inverted form ({@code Matrix, The} → "the matrix", "matrix", "matrix the"). Text and variants are normalised alike: accents
 * folded, lower-cased, {@code &} read as "and", every run of non-alphanumerics one space; a variant matches as a
 * whole-word phrase.
 *
 * <p>Weak variants would match ordinary prose: a single common English, genre, colour or mood word ("Heat",
 * "Horror", "Others"), a single word of at most four letters ("Up", "Big"), or several words that are all function
 * words ("Him &amp; Her"). They count only when the text uses them as a name: capitalised and not at a sentence or
 * step start, or quoted/emphasised, or followed by the title's year. Any other title, a distinctive single word
 * ("Titanic", "grease") or a phrase ("mystery men", "dark city") included, matches in any case, which errs
 * towards rejecting. Titles written with hyphens or periods also match without them ("X-Men" as "XMen").
 *
 * <p>Thread-safe: immutable.
 */
public final class TitleMatcher {

    private static final Pattern ALT = Pattern.compile("\\(([^()]*)\\)");
    private static final Pattern TRAILING_ARTICLE = Pattern.compile(
            "^(.*),\\s*(the|a|an|les|la|le|l'|il|el|los|las|die|der|das|den|det|i|gli|lo|una|un|une)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LEADING_ARTICLE = Pattern.compile("^(the|a|an) (.+)$");
    private static final Set<String> COMMON = Set.copyOf(List.of(
            "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "from", "up", "down",
            "out", "off", "over", "it", "is", "me", "my", "you", "your", "he", "she", "him", "her", "his", "we",
            "us", "they", "them", "this", "that", "what", "who", "all", "one", "two", "big", "go", "new", "old",
            "good", "bad", "man", "men", "woman", "girl", "boy", "day", "night", "time", "life", "love", "home",
            "game", "run", "war", "fire", "ice", "heat", "home", "light", "dark", "black", "white", "red", "blue",
            "green", "gold", "star", "sun", "moon", "world", "city", "town", "house", "road", "way", "back", "here",
            "there", "now", "then", "next", "last", "first", "end", "other", "others", "family", "friends", "kids",
            "crash", "drive", "rush", "speed", "action", "drama", "comedy", "horror", "thriller", "romance",
            "mystery", "adventure", "fantasy", "crime", "war", "western", "musical", "animation", "documentary",
            "children", "film", "movie", "show", "story", "tale", "secret", "memory", "dream", "dreams", "signs",
            "mood", "tone", "style", "genre", "item"));
    private static final Set<String> FUNCTION_WORDS = Set.of("a", "an", "the", "and", "or", "of", "in", "on",
            "at", "to", "for", "with", "by", "from", "up", "down", "out", "off", "over", "it", "is", "me", "my", "you",
            "your", "he", "she", "him", "her", "his", "we", "us", "they", "them", "this", "that", "what", "who", "all",
            "other", "others", "here", "there", "now", "then");
    private static final Set<String> VOCABULARY = ItemAttributes.vocabulary();
    private static final Pattern JOINED = Pattern.compile("\\p{Alnum}[-.·]\\p{Alnum}");
    private static final Pattern YEAR_AFTER = Pattern.compile("^\\s*[(\\[]?\\s*(\\d{4})");

    private final List<Variant> variants;
    private final int year;

    /** A normalised variant and whether it needs name-like use. */
    record Variant(String text, boolean weak) {
    }

    /** A match: the variant and its span in the original text. */
    public record Match(String variant, int start, int end) {
    }

    private TitleMatcher(List<Variant> variants, int year) {
        this.variants = variants;
        this.year = year;
    }

    /** A matcher for {@code title}, for example {@code "City of Lost Children, The (1995)"}. */
    public static TitleMatcher of(String title) {
        int year = ItemAttributes.year(title);
        String base = ItemAttributes.titleWithoutYear(title);
        List<String> raw = new ArrayList<>();
        Matcher m = ALT.matcher(base);
        while (m.find()) {
            String alt = m.group(1).strip().replaceFirst("(?i)^(a\\.k\\.a\\.|aka|a/k/a)\\s*", "");
            if (!alt.isEmpty()) {
                raw.add(alt);
            }
        }
        String main = ALT.matcher(base).replaceAll(" ").strip();
        raw.add(0, main.isEmpty() ? base : main);
        Set<String> out = new LinkedHashSet<>();
        for (String r : raw) {
            String t = r.strip();
            Matcher ta = TRAILING_ARTICLE.matcher(t);
            if (ta.matches()) {
                String article = ta.group(2);
                out.add(normalize(article + (article.endsWith("'") ? "" : " ") + ta.group(1)).text());
                out.add(normalize(ta.group(1)).text());
                out.add(normalize(t).text());  // the catalog's own inverted form, "shining the"
            } else {
                String n = normalize(t).text();
                out.add(n);
                Matcher la = LEADING_ARTICLE.matcher(n);
                if (la.matches()) {
                    out.add(la.group(2));
                }
            }
        }
        if (JOINED.matcher(base).find()) {
            // "X-Men" is also written "XMen", "E.T." "ET": add the variants without spaces.
            for (String v : List.copyOf(out)) {
                out.add(v.replace(" ", ""));
            }
        }
        List<Variant> variants = new ArrayList<>();
        for (String v : out) {
            if (v.isBlank()) {
                continue;
            }
            boolean weak;
            if (v.contains(" ")) {
                weak = true;
                for (String w : v.split(" ")) {
                    weak &= FUNCTION_WORDS.contains(w);
                }
            } else {
                weak = v.length() <= 4 || COMMON.contains(v) || VOCABULARY.contains(v);
            }
            variants.add(new Variant(v, weak));
        }
        return new TitleMatcher(List.copyOf(variants), year);
    }

    /** The normalised variants (for tests and reports). */
    public List<String> variants() {
        return variants.stream().map(Variant::text).toList();
    }

    /** The title's year, or -1. */
    public int year() {
        return year;
    }

    /** Normalised text with, for each of its characters, the index of the original character it came from. */
    record Normalized(String text, int[] origin) {
    }

    /** Normalises {@code s} as variants are (package-private for tests). */
    static Normalized normalize(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        List<Integer> origin = new ArrayList<>(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String piece;
            if (c == '&') {
                piece = " and ";
            } else if (Character.isLetterOrDigit(c)) {
                piece = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                        .toLowerCase(Locale.ROOT);
            } else if (c == '\'' || c == '’') {
                piece = "";  // "Schindler's" → "schindlers", as apostrophes are often dropped
            } else {
                piece = " ";
            }
            for (int k = 0; k < piece.length(); k++) {
                char p = piece.charAt(k);
                if (p == ' ' && (sb.length() == 0 || sb.charAt(sb.length() - 1) == ' ')) {
                    continue;
                }
                sb.append(p);
                origin.add(i);
            }
        }
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == ' ') {
            sb.setLength(len - 1);
            origin.remove(origin.size() - 1);
        }
        return new Normalized(sb.toString(), origin.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Every whole-word occurrence of a variant in normalised text, as [variantIndex, normStart, normEnd]. */
    List<int[]> occurrences(Normalized text) {
        List<int[]> out = new ArrayList<>();
        String t = text.text();
        for (int vi = 0; vi < variants.size(); vi++) {
            String v = variants.get(vi).text();
            int from = 0;
            while (true) {
                int at = t.indexOf(v, from);
                if (at < 0) {
                    break;
                }
                int end = at + v.length();
                boolean left = at == 0 || t.charAt(at - 1) == ' ';
                boolean right = end == t.length() || t.charAt(end) == ' ';
                if (left && right) {
                    out.add(new int[] {vi, at, end});
                }
                from = at + 1;
            }
        }
        return out;
    }

    /**
     * The first mention of this title in {@code original} (already normalised as {@code text}), skipping
     * occurrences inside {@code masked} normalised spans.
     */
    Match find(String original, Normalized text, List<int[]> masked) {
        for (int[] occ : occurrences(text)) {
            if (insideAny(occ[1], occ[2], masked)) {
                continue;
            }
            Variant v = variants.get(occ[0]);
            int start = text.origin()[occ[1]];
            int end = text.origin()[occ[2] - 1] + 1;
            if (!v.weak() || usedAsName(original, start, end)) {
                return new Match(v.text(), start, end);
            }
        }
        return null;
    }

    /** Finds the first mention of this title in {@code original}, or {@code null}. */
    public Match find(String original) {
        return find(original, normalize(original), List.of());
    }

    private static boolean insideAny(int s, int e, List<int[]> spans) {
        for (int[] span : spans) {
            if (s >= span[0] && e <= span[1]) {
                return true;
            }
        }
        return false;
    }

    private boolean usedAsName(String original, int start, int end) {
        String after = original.substring(end);
        Matcher y = YEAR_AFTER.matcher(after);
        if (year > 0 && y.find() && Integer.parseInt(y.group(1)) == year) {
            return true;
        }
        int p = start - 1;
        if (p >= 0 && "\"'“‘*_«`".indexOf(original.charAt(p)) >= 0) {
            return true;
        }
        // Skip back over an article the mention may start with ("The Others").
        if (!Character.isUpperCase(original.codePointAt(start))) {
            return false;
        }
        while (p >= 0 && Character.isWhitespace(original.charAt(p)) && original.charAt(p) != '\n') {
            p--;
        }
        if (p < 0) {
            return false;
        }
        char prev = original.charAt(p);
        return ".!?:\n".indexOf(prev) < 0;
    }
}
