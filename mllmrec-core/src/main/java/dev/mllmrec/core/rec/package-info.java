/**
 * Recommenders over a trained policy language model: likelihood ranking of every candidate, generative answers as
 * in the reference protocol, and loading a policy from a checkpoint.
 */
package dev.mllmrec.core.rec;
