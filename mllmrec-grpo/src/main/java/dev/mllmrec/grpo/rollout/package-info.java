/**
 * The GRPO rollout: groups of sampled completions per prompt from the KV-cache generator, with their token ids,
 * masks, the sampling policy's per-token log-probabilities and the frozen reference policy's.
 */
package dev.mllmrec.grpo.rollout;
