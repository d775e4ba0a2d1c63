package dev.mllmrec.core.textualize;

import java.util.List;

/**
 * What a {@link Textualization} run did.
 *
 * @param items            the items it was given
 * @param captioned        items captioned in this run
 * @param failed           items that could not be captioned (see {@code failures})
 * @param cached           items whose caption for the current image was already stored
 * @param seconds          wall-clock duration
 * @param distinctFraction distinct caption texts divided by the number of captioned or cached items
 * @param meanWords        mean words per caption over those items
 * @param maxWords         the longest caption, in words
 * @param titleLeaks       captions that contain their item's title ({@link TitleGuard}); should be 0
 * @param failures         each failure with its reason, in item id order
 */
public record TextualizationReport(int items, int captioned, int failed, int cached, double seconds,
                                   double distinctFraction, double meanWords, int maxWords, int titleLeaks,
                                   List<TextualizationFailure> failures) {

    /** Copies the failures. */
    public TextualizationReport {
        failures = List.copyOf(failures);
    }

    /** Items handled per second (captioned, cached and failed together). */
    public double itemsPerSecond() {
        return seconds > 0 ? items / seconds : 0;
    }
}
