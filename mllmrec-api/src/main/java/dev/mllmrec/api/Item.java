package dev.mllmrec.api;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One item of the catalog: a movie, a product, a song.
 *
 * @param id         the item id, unique in its catalog and positive
 * @param title      the display title, never blank
 * @param genres     categorical attributes such as genres, in source order (may be empty)
 * @param attributes further named attributes (for example {@code imdbId}); may be empty; kept in the order of their
 *                   names, so that everything built from them (item texts, their content vectors, files) is the
 *                   same in every run ({@code Map.copyOf} iterates in an order that changes from one JVM to the next)
 * @param image      a reference to the item's image (a file path or URI), or {@code null} when it has none
 */
public record Item(int id, String title, List<String> genres, Map<String, String> attributes, String image) {

    /** Validates and copies the collections. */
    public Item {
        if (id <= 0) {
            throw new IllegalArgumentException("Item id must be positive, got " + id + ".");
        }
        Objects.requireNonNull(title, "title");
        if (title.isBlank()) {
            throw new IllegalArgumentException("Item " + id + " has a blank title.");
        }
        genres = List.copyOf(genres == null ? List.of() : genres);
        attributes = sortedCopy(id, attributes);
    }

    private static Map<String, String> sortedCopy(int id, Map<String, String> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        attributes.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new NullPointerException("Item " + id + " has a null attribute name or value (" + k + ").");
            }
            sorted.put(k, v);
        });
        return Collections.unmodifiableMap(sorted);
    }

    /** An item with a title only. */
    public static Item of(int id, String title) {
        return new Item(id, title, List.of(), Map.of(), null);
    }

    /** Whether this item has an image reference. */
    public boolean hasImage() {
        return image != null;
    }

    /** The item's token as it appears in prompts and answers, {@code [ITEM_<id>]}. */
    public String token() {
        return ItemTokens.token(id);
    }
}
