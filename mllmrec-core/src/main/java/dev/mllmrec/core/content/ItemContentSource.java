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
    SHUFFLED_CAPTIONS,
    /**
     * The caption alone, without the title and attributes: whether the image's text carries anything by itself
     * (against {@link #SHUFFLED_CAPTIONS_ONLY} and {@link #NONE}), where {@link #CAPTIONS} asks what it adds to the
     * text.
     */
    CAPTIONS_ONLY,
    /** The control of {@link #CAPTIONS_ONLY}: another item's caption alone (the same permutation as the other). */
    SHUFFLED_CAPTIONS_ONLY;

    /** Whether the variant reads captions. */
    public boolean needsCaptions() {
        return this != NONE && this != TEXT;
    }

    /** Whether the variant's vector holds the item's own text (title and attributes). */
    public boolean includesText() {
        return this == TEXT || this == CAPTIONS || this == SHUFFLED_CAPTIONS;
    }

    /** Whether the variant shows each item another item's caption (a control). */
    public boolean shuffled() {
        return this == SHUFFLED_CAPTIONS || this == SHUFFLED_CAPTIONS_ONLY;
    }

    /** The lower-case, hyphenated name used on command lines and in files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The source named {@code name} ({@code none}, {@code text}, {@code captions}, {@code shuffled-captions},
     * {@code captions-only}, {@code shuffled-captions-only}).
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
                + "shuffled-captions, captions-only, shuffled-captions-only.");
    }
}
