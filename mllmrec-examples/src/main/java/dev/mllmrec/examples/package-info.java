/**
 * Example programs, each a {@code main} to copy (the README's library snippets are these files): train on data held
 * in memory ({@link dev.mllmrec.examples.TrainInMemory}), rank with a trained checkpoint
 * ({@link dev.mllmrec.examples.RankWithCheckpoint}), re-rank another recommender's top 20
 * ({@link dev.mllmrec.examples.RerankTopN}), plug in your own image captioner
 * ({@link dev.mllmrec.examples.CustomTextualizer}). The tests run every one on toy data.
 */
package dev.mllmrec.examples;
