package dev.mllmrec.api;

import java.util.Objects;

/**
 * A textual description of an item's image, produced once, offline.
 *
 * @param itemId             the item
 * @param imageSha256        the hex SHA-256 of the image bytes that were described
 * @param textualizerId      the textualizer that wrote it (for example {@code builtin})
 * @param textualizerVersion the textualizer's version; a new version re-captions
 * @param text               the caption, at most 50 words
 */
public record Caption(int itemId, String imageSha256, String textualizerId, String textualizerVersion,
                      String text) {

    /** Validates. */
    public Caption {
        Objects.requireNonNull(imageSha256, "imageSha256");
        Objects.requireNonNull(textualizerId, "textualizerId");
        Objects.requireNonNull(textualizerVersion, "textualizerVersion");
        Objects.requireNonNull(text, "text");
    }
}
