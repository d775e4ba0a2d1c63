/**
 * The policy language model on DJL: a compact causal transformer, KV-cached generation with seeded sampling,
 * batched sequence log-likelihood scoring, and the policy-likelihood confidence assessor.
 */
package dev.mllmrec.core.lm;
