package dev.mllmrec.core.cot.assess;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rejects a reasoning text that names the sample's target, the trap that inflates training reward.
 *
 * <p>By id ({@code leak:id}): {@code [ITEM_n]}, {@code ITEM_n}, {@code item #n}, {@code id=n}, {@code #n} in any
 * case, and the bare number {@code n} when it has at least three digits and is not a year (a four-digit number in
 * 1880–2030 is read as a year unless an item/id marker precedes it).
 *
 * <p>By title ({@code leak:title}): see {@link TitleMatcher} for the normalisation and the rule for short and
 * common titles. A mention that belongs to another item of the sample is not a leak: a longer history or candidate
 * title that contains the target's ("Toy Story 2" when the target is "Toy Story"), or a same-named item of another
 * year followed by that year ("Psycho (1960)" when the target is "Psycho (1998)").
 *
 * <p>Score 1 for a clean text, 0 for a leak. Thread-safe.
 */
public final class LeakageAssessor implements BatchConfidenceAssessor {

    /** Reason for a trace that names the target's id. */
    public static final String LEAK_ID = "leak:id";
    /** Reason for a trace that names the target's title. */
    public static final String LEAK_TITLE = "leak:title";
    /** Reason for a clean trace. */
    public static final String CLEAN = "clean";

    private static final Pattern YEAR_AFTER = Pattern.compile("^\\s*[(\\[]?\\s*(\\d{4})");

    private final Catalog catalog;
    private final Map<Integer, TitleMatcher> matchers = new ConcurrentHashMap<>();

    /** @param catalog the items whose titles are checked */
    public LeakageAssessor(Catalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public String name() {
        return "leakage";
    }

    @Override
    public Assessment assess(CotTrace trace, RecommendationSample sample) {
        String reason = leak(trace.text(), sample);
        boolean clean = reason == null;
        return new Assessment(trace.sampleId(), clean, clean ? 1.0 : 0.0, clean ? CLEAN : reason,
                Map.of(name(), clean ? 1.0 : 0.0));
    }

    /** {@link #LEAK_ID}, {@link #LEAK_TITLE}, or {@code null} when {@code text} does not name the target. */
    public String leak(String text, RecommendationSample sample) {
        if (namesId(text, sample.target())) {
            return LEAK_ID;
        }
        Item target = catalog.find(sample.target());
        if (target != null && evidence(text, sample) != null) {
            return LEAK_TITLE;
        }
        return null;
    }

    /** Whether {@code text} names item id {@code id}. */
    public static boolean namesId(String text, int id) {
        String n = "0*" + id + "(?![\\w])";
        Pattern marked = Pattern.compile("(?i)(?:\\bitem[\\s_\\-]*(?:no\\.?\\s*|#\\s*)?|\\bid\\s*[=:#]?\\s*|#\\s*)"
                + n);
        if (marked.matcher(text).find()) {
            return true;
        }
        String digits = Integer.toString(id);
        if (digits.length() < 3 || (digits.length() == 4 && id >= 1880 && id <= 2030)) {
            return false;
        }
        return Pattern.compile("(?<![\\w.,])" + digits + "(?![\\w]|[.,]\\d)").matcher(text).find();
    }

    /** The title mention that leaks the target, or {@code null}. */
    public TitleMatcher.Match evidence(String text, RecommendationSample sample) {
        Item target = catalog.find(sample.target());
        if (target == null) {
            return null;
        }
        TitleMatcher t = matcher(target);
        TitleMatcher.Normalized norm = TitleMatcher.normalize(text);
        if (t.occurrences(norm).isEmpty()) {
            return null;
        }
        List<int[]> masked = new ArrayList<>();
        Set<Integer> others = new LinkedHashSet<>(sample.history());
        others.addAll(sample.candidates());
        others.remove(sample.target());
        for (int id : others) {
            Item other = catalog.find(id);
            if (other == null) {
                continue;
            }
            TitleMatcher o = matcher(other);
            for (int[] occ : o.occurrences(norm)) {
                String ov = o.variants().get(occ[0]);
                for (String tv : t.variants()) {
                    boolean contains = ov.length() > tv.length() && (" " + ov + " ").contains(" " + tv + " ");
                    boolean sameNameOtherYear = ov.equals(tv) && o.year() > 0 && o.year() != t.year()
                            && followedByYear(text, norm.origin()[occ[2] - 1] + 1, o.year());
                    if (contains || sameNameOtherYear) {
                        masked.add(new int[] {occ[1], occ[2]});
                        break;
                    }
                }
            }
        }
        return t.find(text, norm, masked);
    }

    private static boolean followedByYear(String text, int end, int year) {
        Matcher m = YEAR_AFTER.matcher(text.substring(end));
        return m.find() && Integer.parseInt(m.group(1)) == year;
    }

    private TitleMatcher matcher(Item item) {
        return matchers.computeIfAbsent(item.id(), k -> TitleMatcher.of(item.title()));
    }
}
