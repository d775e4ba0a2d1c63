/**
 * GRPO policy losses: the per-token clipped surrogate with a k3 KL penalty and the TRL aggregation modes, as a
 * plain-Java reference with an analytic gradient and as differentiable DJL array code.
 */
package dev.mllmrec.grpo.loss;
