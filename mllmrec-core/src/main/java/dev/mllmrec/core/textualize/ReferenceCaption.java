package dev.mllmrec.core.textualize;

import java.util.Objects;

/**
 * One entry of the reference implementation's {@code captions.json}: {@code {"<item_id>": {"title": …,
 * "caption": …}}}.
 *
 * @param title   the item's title as the caption was written for it
 * @param caption the caption
 */
public record ReferenceCaption(String title, String caption) {

    /** Validates. */
    public ReferenceCaption {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(caption, "caption");
    }
}
