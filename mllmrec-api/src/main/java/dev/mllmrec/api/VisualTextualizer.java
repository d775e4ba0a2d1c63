package dev.mllmrec.api;

/**
 * Turns an item's image into a short caption (the paper's offline visual textualization). Implementations say
 * whether they are thread-safe; the built-in one is.
 */
public interface VisualTextualizer {

    /** A stable id recorded with every caption, for example {@code builtin}. */
    String id();

    /** The version recorded with every caption; bump it when captions would change. */
    String version();

    /**
     * Describes one image.
     *
     * @param item  the item (its title may guide the caption but must not appear in it)
     * @param image the raw image bytes (format detected from content)
     * @return the caption text, at most 50 words
     * @throws TextualizationException when the image cannot be decoded or described
     */
    String describe(Item item, byte[] image) throws TextualizationException;
}
