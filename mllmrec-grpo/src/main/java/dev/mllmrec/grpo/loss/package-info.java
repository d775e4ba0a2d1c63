/**
 * GRPO policy losses: the per-token clipped surrogate with a k3 KL penalty and the TRL aggregation modes, as a
 * differentiable DJL array code (a plain-Java reference with a hand-derived gradient checks it in the tests).
 */
package dev.mllmrec.grpo.loss;
