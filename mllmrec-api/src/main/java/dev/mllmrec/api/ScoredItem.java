package dev.mllmrec.api;

/**
 * An item with a model score; higher is better.
 *
 * @param itemId the item
 * @param score  the score (log-probability, count, similarity ...)
 */
public record ScoredItem(int itemId, double score) {
}
