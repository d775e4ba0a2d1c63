/**
 * The entry point of the library: {@link dev.mllmrec.recipe.MllmRec} trains the policy with the recipe behind the
 * README's numbers ({@link dev.mllmrec.recipe.Recipe#recommended()}) from data held in memory, exactly as the
 * {@code pipeline} command does, and {@link dev.mllmrec.core.rec.PolicyRanker} serves what it trained.
 */
package dev.mllmrec.recipe;
