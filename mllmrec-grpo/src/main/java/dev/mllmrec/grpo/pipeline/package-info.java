/**
 * The GRPO stage of the pipeline on a work directory: from the SFT checkpoint and the (augmented) training prompts
 * to the GRPO checkpoints, metrics, chart and summary.
 */
package dev.mllmrec.grpo.pipeline;
