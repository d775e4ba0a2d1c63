/**
 * The GRPO training loop: configuration, the trainer with its listeners and validation callback, per-step metrics,
 * the differentiable per-token log-probabilities, and checkpoints that resume exactly.
 */
package dev.mllmrec.grpo.train;
