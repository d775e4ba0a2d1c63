package dev.mllmrec.core.cot;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.cot.ItemAttributes.Attribute;
import dev.mllmrec.core.cot.ItemAttributes.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The default reasoning writer; it needs no language model. From the history's genres, title years and captions it
 * writes the four steps:
 * <ol>
 *   <li>discriminative signals: attributes ranked by {@code count × ln(lift)}, where lift is the attribute's
 *       share of this history over its (add-one smoothed) share of the catalog;</li>
 *   <li>the next intent: attributes ranked by recency-weighted share (weight {@code decay^age}, the most recent
 *       item has age 0) times {@code ln(1 + lift)}, with the most recent titles named;</li>
 *   <li>three to five retrieval criteria (intent genres, a further distinctive genre, decade, visual tone, mood);</li>
 *   <li>a one-sentence profile of the predicted next item.</li>
 * </ol>
 * It reads a {@link CotRequest}, which has no target, so it cannot leak the answer. Output is a pure function of
 * the history, the catalog and the captions.
 *
 * <p>Thread-safe: immutable after construction.
 */
public final class BuiltinCotGenerator implements CotGenerator {

    /** The generator id recorded with every trace. */
    public static final String ID = "builtin-v1";
    /** The default recency decay. */
    public static final double DEFAULT_RECENCY_DECAY = 0.7;

    private static final int RECENT_TITLES = 3;

    private final Catalog catalog;
    private final Map<Integer, List<Attribute>> attributes;
    private final Map<Attribute, Integer> catalogCounts;
    private final double recencyDecay;

    /** A generator with the default recency decay. */
    public BuiltinCotGenerator(Catalog catalog, Map<Integer, String> captions) {
        this(catalog, captions, DEFAULT_RECENCY_DECAY);
    }

    /**
     * @param catalog      the items (their genres and titles)
     * @param captions     caption text by item id; may be empty
     * @param recencyDecay the weight ratio between an item and the next more recent one, in (0, 1]
     */
    public BuiltinCotGenerator(Catalog catalog, Map<Integer, String> captions, double recencyDecay) {
        if (!(recencyDecay > 0 && recencyDecay <= 1)) {
            throw new IllegalArgumentException("The recency decay must be in (0, 1], got " + recencyDecay + ".");
        }
        this.catalog = catalog;
        this.recencyDecay = recencyDecay;
        Map<Integer, List<Attribute>> attrs = new HashMap<>();
        Map<Attribute, Integer> counts = new HashMap<>();
        // A catalog without genres (text-only data) reasons over its titles' words instead.
        boolean keywords = catalog.items().stream().allMatch(i -> i.genres().isEmpty());
        for (Item item : catalog.items()) {
            List<Attribute> a = ItemAttributes.of(item, captions.get(item.id()));
            if (keywords) {
                List<Attribute> withKeywords = new ArrayList<>(a);
                withKeywords.addAll(ItemAttributes.keywords(item));
                a = withKeywords;
            }
            attrs.put(item.id(), a);
            for (Attribute x : a) {
                counts.merge(x, 1, Integer::sum);
            }
        }
        this.attributes = Map.copyOf(attrs);
        this.catalogCounts = Map.copyOf(counts);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public CotTrace generate(CotRequest request) {
        return CotParser.parse(request.sampleId(), ID, reason(request.history()));
    }

    /** One attribute's statistics in a history. */
    private record Stat(Attribute attribute, int count, double lift, double recent) {
        double signal() {
            return count * Math.log(lift);
        }

        double intent() {
            return recent * Math.log1p(lift);
        }
    }

    /** Writes the four-step text for a history (oldest first); unknown ids are ignored. */
    public String reason(List<Integer> history) {
        List<Item> items = new ArrayList<>();
        for (Integer id : history) {
            Item item = catalog.find(id);
            if (item != null) {
                items.add(item);
            }
        }
        if (items.isEmpty()) {
            return "Step 1: The history holds no known item, so there is no preference signal.\n"
                    + "Step 2: Without history the next intent is open; a broadly popular title is the safest guess.\n"
                    + "Step 3: Retrieval criteria: popular title; broad audience appeal; well-known release.\n"
                    + "Step 4: A broadly popular, well-known title.";
        }
        int n = items.size();
        double weightSum = 0;
        Map<Attribute, int[]> counts = new TreeMap<>();
        Map<Attribute, double[]> recent = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            double w = Math.pow(recencyDecay, n - 1 - i);
            weightSum += w;
            for (Attribute a : attributes.getOrDefault(items.get(i).id(), List.of())) {
                counts.computeIfAbsent(a, k -> new int[1])[0]++;
                recent.computeIfAbsent(a, k -> new double[1])[0] += w;
            }
        }
        double catalogSize = catalog.size();
        List<Stat> stats = new ArrayList<>();
        for (Map.Entry<Attribute, int[]> e : counts.entrySet()) {
            int c = e.getValue()[0];
            double pHistory = (double) c / n;
            double pCatalog = (catalogCounts.getOrDefault(e.getKey(), 0) + 1.0) / (catalogSize + 2.0);
            stats.add(new Stat(e.getKey(), c, pHistory / pCatalog, recent.get(e.getKey())[0] / weightSum));
        }

        int minCount = n >= 3 ? 2 : 1;
        List<Stat> signals = stats.stream().filter(s -> s.lift() > 1 && s.count() >= minCount)
                .sorted(Comparator.comparingDouble(Stat::signal).reversed().thenComparing(Stat::attribute))
                .limit(4).toList();
        List<Stat> byIntent = stats.stream()
                .sorted(Comparator.comparingDouble(Stat::intent).reversed().thenComparing(Stat::attribute))
                .toList();

        String step1 = step1(signals, stats, n);
        List<Stat> intentGenres = top(byIntent, Kind.GENRE, 2);
        if (intentGenres.isEmpty()) {
            intentGenres = top(byIntent, Kind.KEYWORD, 2); // text-only catalogs: the titles' recurring words
        }
        Stat decade = first(byIntent, Kind.DECADE);
        List<Stat> visuals = top(byIntent, Kind.VISUAL, 2);
        Stat mood = first(byIntent, Kind.MOOD);
        String step2 = step2(items, intentGenres, signals, decade, visuals, mood);
        List<String> criteria = criteria(intentGenres, signals, stats, decade, visuals, mood);
        String step4 = step4(items, intentGenres, decade, visuals, mood);
        return "Step 1: " + step1 + "\nStep 2: " + step2 + "\nStep 3: Retrieval criteria: "
                + String.join("; ", criteria) + ".\nStep 4: " + step4;
    }

    private static List<Stat> top(List<Stat> ranked, Kind kind, int k) {
        return ranked.stream().filter(s -> s.attribute().kind() == kind).limit(k).toList();
    }

    private static Stat first(List<Stat> ranked, Kind kind) {
        return ranked.stream().filter(s -> s.attribute().kind() == kind).findFirst().orElse(null);
    }

    private static String phrase(Attribute a) {
        return switch (a.kind()) {
            case GENRE -> a.value();
            case DECADE -> a.value() + " releases";
            case VISUAL -> a.value() + " poster tones";
            case MOOD -> a.value() + " mood";
            case KEYWORD -> "titles with \"" + a.value() + "\"";
        };
    }

    private static String step1(List<Stat> signals, List<Stat> stats, int n) {
        if (signals.isEmpty()) {
            List<Stat> frequent = stats.stream()
                    .sorted(Comparator.comparingInt(Stat::count).reversed().thenComparing(Stat::attribute))
                    .limit(3).toList();
            List<String> parts = frequent.stream().map(s -> phrase(s.attribute()) + " (" + s.count() + " of " + n
                    + ")").toList();
            if (parts.isEmpty()) {
                return "No attribute of the " + n + " items is known, so there is no preference signal beyond the "
                        + "items themselves.";
            }
            return "No attribute stands out against the catalog; the most frequent are " + join(parts) + ".";
        }
        List<String> parts = new ArrayList<>();
        for (Stat s : signals) {
            parts.add(phrase(s.attribute()) + " (" + s.count() + " of " + n + " items, "
                    + String.format(Locale.ROOT, "%.1f", s.lift()) + "x the catalog rate)");
        }
        return "The history is distinguished by " + join(parts) + ".";
    }

    private static String step2(List<Item> items, List<Stat> intentGenres, List<Stat> signals, Stat decade,
                                List<Stat> visuals, Stat mood) {
        int from = Math.max(0, items.size() - RECENT_TITLES);
        List<String> titles = items.subList(from, items.size()).stream().map(i -> displayTitle(i.title()))
                .toList();
        StringBuilder sb = new StringBuilder("The most recent items (").append(join(titles)).append(')');
        String genres = join(intentGenres.stream().map(s -> s.attribute().value()).toList());
        if (!genres.isEmpty()) {
            sb.append(" lean toward ").append(genres);
        } else {
            sb.append(" set the current direction");
        }
        Stat topSignalGenre = signals.stream().filter(s -> s.attribute().kind() == Kind.GENRE).findFirst()
                .orElse(null);
        if (topSignalGenre != null && !intentGenres.isEmpty()
                && intentGenres.stream().noneMatch(s -> s.attribute().equals(topSignalGenre.attribute()))) {
            sb.append(", a shift away from the longer-term ").append(topSignalGenre.attribute().value());
        }
        sb.append(", so the next item should be ");
        String slash = String.join("/", intentGenres.stream().map(s -> s.attribute().value()).toList());
        sb.append(genres.isEmpty() ? "a title in the same vein" : article(slash) + " " + slash + " title");
        if (decade != null) {
            sb.append(", likely from the ").append(decade.attribute().value());
        }
        List<String> look = new ArrayList<>();
        if (!visuals.isEmpty()) {
            look.add(String.join(", ", visuals.stream().map(s -> s.attribute().value()).toList()) + " visuals");
        }
        if (mood != null) {
            look.add("a " + mood.attribute().value() + " mood");
        }
        if (!look.isEmpty()) {
            sb.append(", with ").append(join(look));
        }
        return sb.append('.').toString();
    }

    private static List<String> criteria(List<Stat> intentGenres, List<Stat> signals, List<Stat> stats, Stat decade,
                                         List<Stat> visuals, Stat mood) {
        Set<String> out = new LinkedHashSet<>();
        Set<Attribute> used = new LinkedHashSet<>();
        for (Stat s : intentGenres) {
            out.add(s.attribute().value());
            used.add(s.attribute());
        }
        signals.stream().filter(s -> s.attribute().kind() == Kind.GENRE && !used.contains(s.attribute()))
                .findFirst().ifPresent(s -> {
                    out.add(s.attribute().value());
                    used.add(s.attribute());
                });
        if (decade != null) {
            out.add("released in the " + decade.attribute().value());
        }
        if (!visuals.isEmpty()) {
            out.add(String.join(", ", visuals.stream().map(s -> s.attribute().value()).toList())
                    + " poster tones");
        }
        if (mood != null && out.size() < 5) {
            out.add(mood.attribute().value() + " mood");
        }
        if (out.size() < 3) {
            stats.stream().filter(s -> s.attribute().kind() == Kind.GENRE && !used.contains(s.attribute()))
                    .sorted(Comparator.comparingInt(Stat::count).reversed().thenComparing(Stat::attribute))
                    .limit(3 - out.size()).forEach(s -> out.add(s.attribute().value()));
        }
        for (String generic : List.of("similar tone to the recent items", "broad audience appeal",
                "well-known title")) {
            if (out.size() >= 3) {
                break;
            }
            out.add(generic);
        }
        return new ArrayList<>(out).subList(0, Math.min(5, out.size()));
    }

    private static String step4(List<Item> items, List<Stat> intentGenres, Stat decade, List<Stat> visuals,
                                Stat mood) {
        StringBuilder sb = new StringBuilder("The predicted next item is a");
        if (mood != null) {
            sb.append(' ').append(mood.attribute().value());
        }
        if (decade != null) {
            sb.append(' ').append(decade.attribute().value());
        }
        sb.append(intentGenres.isEmpty() ? " title" : " " + String.join("/",
                intentGenres.stream().map(s -> s.attribute().value()).toList()) + " title");
        if (!visuals.isEmpty()) {
            sb.append(" with ").append(String.join(", ", visuals.stream().map(s -> s.attribute().value()).toList()))
                    .append(" visuals");
        }
        sb.append(", in the vein of ").append(displayTitle(items.get(items.size() - 1).title())).append('.');
        String s = sb.toString();
        return s.replaceFirst("^The predicted next item is a ([aeiou]|18\\d\\ds)", "The predicted next item is an $1");
    }

    private static String article(String word) {
        return word.matches("^([aeiou]|18\\d\\ds).*") ? "an" : "a";
    }

    /** {@code "Birdcage, The (1996)"} → {@code "The Birdcage (1996)"}, as a person would write it. */
    static String displayTitle(String title) {
        return title.replaceFirst("^(.+?), (The|A|An) (\\(\\d{4}\\))$", "$2 $1 $3");
    }

    private static String join(List<String> parts) {
        if (parts.isEmpty()) {
            return "";
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }
}
