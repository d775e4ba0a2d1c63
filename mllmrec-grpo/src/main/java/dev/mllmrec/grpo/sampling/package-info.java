/**
 * The rollout's sampling step: temperature plus top-p (nucleus) sampling of one token per row, as a plain-Java
 * reference and as DJL array code that agree token for token given the same uniforms, and the counter-based random
 * numbers that feed both.
 */
package dev.mllmrec.grpo.sampling;
