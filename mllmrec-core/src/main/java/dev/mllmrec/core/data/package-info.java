/**
 * Datasets and sampling: the MovieLens and MLLMRec-R1 reference-format readers, chronological sequences,
 * leave-one-out splits, negative sampling and the cache of recommendation samples under the work directory.
 */
package dev.mllmrec.core.data;
