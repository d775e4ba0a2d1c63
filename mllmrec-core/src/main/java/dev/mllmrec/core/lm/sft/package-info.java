/** Supervised fine-tuning of the policy model: batching, AdamW, schedules, checkpoints that resume exactly. */
package dev.mllmrec.core.lm.sft;
