package dev.mllmrec.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One item of the catalog: a movie, a product, a song.
 *
 * @param id         the item id, unique in its catalog and positive
 * @param title      the display title, never blank
 * @param genres     categorical attributes such as genres, in source order (may be empty)
 * @param attributes further named attributes (for example {@code imdbId}); may be empty
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
        attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
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
