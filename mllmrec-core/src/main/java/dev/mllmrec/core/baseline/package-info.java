/** Baseline recommenders (random, popularity, first-order Markov) that every learned model is compared against. */
package dev.mllmrec.core.baseline;
