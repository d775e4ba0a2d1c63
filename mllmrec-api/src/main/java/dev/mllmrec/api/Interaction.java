package dev.mllmrec.api;

/**
 * One user-item interaction.
 *
 * @param userId    the user
 * @param itemId    the item
 * @param timestamp seconds since the epoch (or any monotone clock)
 * @param rating    the explicit rating, or {@code Float.NaN} when there is none
 */
public record Interaction(String userId, int itemId, long timestamp, float rating) {
}
