package dev.mllmrec.core.textualize;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a caption spells out an item's title, the reference caption prompt's rule ("Do NOT mention the
 * title explicitly"). Both texts are normalised the same way: accents removed, lower case, punctuation dropped,
 * and common articles, conjunctions and prepositions removed. The title "appears" when the word sequence of the
 * title, or of one of its variants, occurs contiguously in the caption's. Variants of a MovieLens-style title
 * {@code "City of Lost Children, The (Cité des enfants perdus, La) (1995)"}: the main title and each parenthesised
 * alternative title, with the year dropped.
 *
 * <p>Thread-safe (immutable).
 */
public final class TitleGuard {

    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "and", "or", "of", "in", "on", "at",
            "to", "for", "with", "by", "from", "as", "is", "le", "la", "les", "l", "il", "el", "los", "las", "der",
            "die", "das", "un", "une", "des", "de", "du", "s");
    private static final Set<String> ARTICLES = Set.of("the", "a", "an");
    private static final Pattern PARENS = Pattern.compile("\\(([^()]*)\\)");
    private static final Pattern YEAR = Pattern.compile("\\s*\\((\\d{4})(?:[-–]\\d{0,4})?\\)\\s*$");
    private static final Pattern AKA = Pattern.compile("^(?i)(a\\.k\\.a\\.|aka)\\s+");

    private final String title;
    private final List<List<String>> variants;
    private final Set<String> words;

    private TitleGuard(String title) {
        this.title = title;
        List<List<String>> vs = new ArrayList<>();
        String t = title.strip();
        Matcher year = YEAR.matcher(t);
        if (year.find()) {
            t = t.substring(0, year.start());
        }
        Matcher m = PARENS.matcher(t);
        while (m.find()) {
            String alt = AKA.matcher(m.group(1).strip()).replaceFirst("");
            addVariant(vs, alt);
        }
        addVariant(vs, PARENS.matcher(t).replaceAll(" "));
        if (vs.isEmpty()) {
            addVariant(vs, t);
        }
        this.variants = List.copyOf(vs);
        Set<String> all = new LinkedHashSet<>();
        vs.forEach(all::addAll);
        this.words = Set.copyOf(all);
    }

    /** A guard for {@code title}. */
    public static TitleGuard of(String title) {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("A title guard needs a non-blank title, got '" + title + "'.");
        }
        return new TitleGuard(title);
    }

    private static void addVariant(List<List<String>> out, String text) {
        List<String> content = normalise(text, true);
        if (content.isEmpty()) {
            content = normalise(text, false);
        }
        if (!content.isEmpty() && !out.contains(content)) {
            out.add(List.copyOf(content));
        }
    }

    /** The title this guard protects. */
    public String title() {
        return title;
    }

    /** The normalised content words of every title variant. */
    public Set<String> words() {
        return words;
    }

    /** Whether {@code text} contains the title (or a variant of it) as a contiguous sequence of content words. */
    public boolean appearsIn(String text) {
        List<String> all = normalise(text, false);
        List<String> content = normalise(text, true);
        for (List<String> v : variants) {
            if (containsRun(content, v) || containsRun(all, v)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} uses any content word of the title at all (a stricter test used when rephrasing). */
    public boolean sharesWordWith(String text) {
        for (String w : normalise(text, false)) {
            if (words.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces every occurrence of the title in {@code text} by {@code replacement}, keeping the rest verbatim
     * (whitespace is collapsed). Matching follows {@link #appearsIn}.
     */
    public String redact(String text, String replacement) {
        List<String> tokens = new ArrayList<>(List.of(text.strip().split("\\s+")));
        for (int guard = 0; guard < 64; guard++) {
            List<String> content = new ArrayList<>();
            List<Integer> owner = new ArrayList<>();
            for (int t = 0; t < tokens.size(); t++) {
                for (String w : normalise(tokens.get(t), true)) {
                    content.add(w);
                    owner.add(t);
                }
            }
            int[] run = findRun(content);
            if (run == null) {
                break;
            }
            int first = owner.get(run[0]);
            int last = owner.get(run[1] - 1);
            String lead = tokens.get(first).replaceAll("^([\\p{Ps}\\p{Pi}'\"]*).*$", "$1");
            String trail = tokens.get(last).replaceAll("^.*?([\\p{Pe}\\p{Pf}'\".,;:!?]*)$", "$1");
            String with = replacement;
            if (lead.isEmpty() && first > 0 && ARTICLES.contains(tokens.get(first - 1).toLowerCase(Locale.ROOT))) {
                // "The Toy Story poster" becomes "The film poster", not "The the film poster".
                first--;
                if (Character.isUpperCase(tokens.get(first).charAt(0))) {
                    with = Character.toUpperCase(with.charAt(0)) + with.substring(1);
                }
            } else if (first == 0 && lead.isEmpty()) {
                with = Character.toUpperCase(with.charAt(0)) + with.substring(1);
            }
            List<String> replaced = new ArrayList<>(tokens.subList(0, first));
            replaced.add(lead + with + trail);
            replaced.addAll(tokens.subList(last + 1, tokens.size()));
            tokens = replaced;
        }
        return String.join(" ", tokens);
    }

    private int[] findRun(List<String> haystack) {
        for (List<String> v : variants) {
            outer:
            for (int i = 0; i + v.size() <= haystack.size(); i++) {
                for (int j = 0; j < v.size(); j++) {
                    if (!haystack.get(i + j).equals(v.get(j))) {
                        continue outer;
                    }
                }
                return new int[] {i, i + v.size()};
            }
        }
        return null;
    }

    /** Accent-free, lower-case words of {@code text}; without stop words when {@code contentOnly}. */
    static List<String> normalise(String text, boolean contentOnly) {
        String plain = text;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                plain = Normalizer.normalize(text, Normalizer.Form.NFD);
                break;
            }
        }
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i <= plain.length(); i++) {
            char c = i < plain.length() ? plain.charAt(i) : ' ';
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK) {
                continue;
            }
            if (Character.isLetterOrDigit(c)) {
                word.append(Character.toLowerCase(c));
            } else if (word.length() > 0) {
                String w = word.toString();
                word.setLength(0);
                if (!(contentOnly && STOP_WORDS.contains(w))) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    private static boolean containsRun(List<String> haystack, List<String> needle) {
        if (needle.isEmpty() || needle.size() > haystack.size()) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.size() <= haystack.size(); i++) {
            for (int j = 0; j < needle.size(); j++) {
                if (!haystack.get(i + j).equals(needle.get(j))) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "TitleGuard[" + title + " -> " + variants + "]";
    }
}
