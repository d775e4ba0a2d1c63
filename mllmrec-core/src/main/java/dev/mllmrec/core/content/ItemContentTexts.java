package dev.mllmrec.core.content;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.Seeds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The texts behind each catalog item's content vector: the item's own text ({@code "<title>. Genres: a, b.
 * <attr>: <value>"}, {@link #texts}) and, for caption sources, the caption it shows ({@link #captions}: its own, or
 * another item's for the shuffled control). The two are encoded separately and their vectors set side by side, so
 * that a caption of some forty words cannot drown the title and genres in one mean-pooled sentence vector. Pure and
 * deterministic (the shuffled control is seeded).
 *
 * <p>Thread-safe: stateless.
 */
public final class ItemContentTexts {

    private ItemContentTexts() {
    }

    /**
     * Each catalog item's own text (title, genres, then the attributes in key order that are not
     * {@linkplain #isIdentifier identifiers}), in catalog order.
     */
    public static Map<Integer, String> texts(Catalog catalog) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Item item : catalog.items()) {
            StringBuilder sb = new StringBuilder(item.title().strip());
            if (!item.genres().isEmpty()) {
                sb.append(". Genres: ").append(String.join(", ", item.genres()));
            }
            item.attributes().forEach((k, v) -> {
                if (!isIdentifier(k)) {
                    sb.append(". ").append(k).append(": ").append(v);
                }
            });
            out.put(item.id(), sb.toString());
        }
        return out;
    }

    /**
     * Whether an attribute is an identifier left out of the item's text: its key is {@code id} or ends in a word
     * {@code id} ({@code imdbId}, {@code tmdbID}, {@code asin_id}, {@code product-id}; not {@code paid},
     * {@code valid} or {@code VALID}). An identifier's digits tell a sentence encoder nothing about the item, and
     * MovieLens's two made up a third or more of an item text's word pieces; without them the MiniLM vector is the
     * title's and the genres' (measured in {@code docs/item-content-default.md}).
     */
    public static boolean isIdentifier(String attributeKey) {
        String k = attributeKey.strip();
        String lower = k.toLowerCase(Locale.ROOT);
        return lower.equals("id") || k.endsWith("Id") || (k.endsWith("ID") && !capitalBefore(k, k.length() - 2))
                || lower.endsWith("_id") || lower.endsWith("-id") || lower.endsWith(" id");
    }

    /** Whether {@code s} has an upper-case letter just before index {@code i} ({@code VALID}: not a word "ID"). */
    private static boolean capitalBefore(String s, int i) {
        return i > 0 && Character.isUpperCase(s.charAt(i - 1));
    }

    /**
     * The caption each item shows under {@code source}, in catalog order: its own for
     * {@link ItemContentSource#CAPTIONS} and {@link ItemContentSource#CAPTIONS_ONLY}, another item's for the shuffled
     * controls ({@link ItemContentSource#shuffled()}, see {@link #donors}); empty for the sources without captions.
     * Items without one are absent.
     *
     * @param captions each item's caption text (items without an image are absent)
     * @param seed     seeds the permutation of {@link ItemContentSource#SHUFFLED_CAPTIONS}
     * @throws IllegalArgumentException for a caption source when no item has a caption
     */
    public static Map<Integer, String> captions(Catalog catalog, Map<Integer, String> captions,
                                                ItemContentSource source, long seed) {
        if (!source.needsCaptions()) {
            return Map.of();
        }
        Map<Integer, Integer> donors = donors(catalog, captions.keySet(), source, seed);
        if (donors.isEmpty()) {
            throw new IllegalArgumentException("Item content '" + source.id() + "' needs captions, but no catalog item "
                    + "has one (text-only data, or textualize has not run); use 'text'.");
        }
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Item item : catalog.items()) {
            Integer donor = donors.get(item.id());
            if (donor != null) {
                out.put(item.id(), captions.get(donor).strip());
            }
        }
        return out;
    }

    /**
     * Whose caption (and poster) each item with one shows under {@code source}: itself for
     * {@link ItemContentSource#CAPTIONS}, another item's for {@link ItemContentSource#SHUFFLED_CAPTIONS} (a seeded
     * cyclic shift of a seeded order of the items that have one), none for the other sources.
     *
     * @param withImage the ids of the items that have a caption or an image
     * @return donor item id by item id
     */
    public static Map<Integer, Integer> donors(Catalog catalog, java.util.Set<Integer> withImage,
                                               ItemContentSource source, long seed) {
        List<Integer> ids = new ArrayList<>();
        for (Item item : catalog.items()) {
            if (withImage.contains(item.id())) {
                ids.add(item.id());
            }
        }
        Map<Integer, Integer> out = new LinkedHashMap<>();
        if (!source.needsCaptions()) {
            return out;
        }
        if (!source.shuffled()) {
            ids.forEach(id -> out.put(id, id));
            return out;
        }
        // A seeded cyclic shift of a seeded order: every item gets another item's caption (when two or more have one).
        List<Integer> order = new ArrayList<>(ids);
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, "shuffled-captions"));
        for (int i = order.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Integer t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        for (int i = 0; i < order.size(); i++) {
            out.put(order.get(i), order.get((i + 1) % order.size()));
        }
        return out;
    }
}
