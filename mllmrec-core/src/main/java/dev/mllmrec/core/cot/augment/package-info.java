/**
 * Mixed-grained data augmentation: per training sample, seeded, no reasoning, the Step-3 criteria only, or the full
 * chain of thought, drawn only from traces that passed the confidence-aware assessment.
 */
package dev.mllmrec.core.cot.augment;
