/**
 * Confidence-aware assessment of chain-of-thought traces: the leakage veto, retrieval agreement with a sentence
 * encoder, and their combination with a threshold or keep-top-fraction selection, with a reason for every decision.
 */
package dev.mllmrec.core.cot.assess;
