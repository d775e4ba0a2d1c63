/**
 * The optimizer every trainer uses: {@link dev.mllmrec.core.optim.Adam} (AdamW for the language-model trainers,
 * Kingma and Ba's Adam for SASRec), whose whole state ({@link dev.mllmrec.core.optim.AdamState}) can be exported
 * and restored, so that a checkpoint resumes bit for bit.
 */
package dev.mllmrec.core.optim;
