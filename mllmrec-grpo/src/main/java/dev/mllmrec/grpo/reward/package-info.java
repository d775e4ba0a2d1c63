/**
 * GRPO reward functions: the reference recommendation reward, a format reward, and weighted combinations whose
 * components are kept apart for logging.
 */
package dev.mllmrec.grpo.reward;
