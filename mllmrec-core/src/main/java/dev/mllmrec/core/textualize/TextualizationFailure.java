package dev.mllmrec.core.textualize;

/**
 * An item whose image could not be captioned, with the reason as a sentence.
 *
 * @param itemId the item
 * @param image  the image reference, or {@code null} when the item has none
 * @param reason why, naming the file
 */
public record TextualizationFailure(int itemId, String image, String reason) {
}
