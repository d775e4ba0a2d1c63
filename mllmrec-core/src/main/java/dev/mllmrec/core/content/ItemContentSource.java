package dev.mllmrec.core.content;

import java.util.Locale;

/**
 * What an item's content vector is made of: the variants the ablation compares. The policy's item tokens get a
 * learnt projection of the vector added to their embeddings (see {@code LmConfig.ItemContentShape}).
 */
public enum ItemContentSource {

    /** No content: item tokens are ids only. */
    NONE,
    /** The title and the item's attributes (genres, or whatever the dataset gives). */
    TEXT,
    /** The title, the attributes and the caption that textualization wrote from the item's image. */
    CAPTIONS,
    /**
     * A control: the title and attributes with another item's caption (a seeded permutation of the captions among
     * the items that have one). If it ranks as well as {@link #CAPTIONS}, the captions carry nothing.
     */
    SHUFFLED_CAPTIONS;

    /** Whether the variant reads captions. */
    public boolean needsCaptions() {
        return this == CAPTIONS || this == SHUFFLED_CAPTIONS;
    }

    /** The lower-case, hyphenated name used on command lines and in files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The source named {@code name} ({@code none}, {@code text}, {@code captions}, {@code shuffled-captions}).
     *
     * @throws IllegalArgumentException naming the known sources
     */
    public static ItemContentSource of(String name) {
        for (ItemContentSource s : values()) {
            if (s.id().equalsIgnoreCase(name.strip()) || s.name().equalsIgnoreCase(name.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown item content '" + name + "'; known: none, text, captions, "
                + "shuffled-captions.");
    }
}
