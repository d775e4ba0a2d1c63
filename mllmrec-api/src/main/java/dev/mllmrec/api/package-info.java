/**
 * Contracts of mllmrec: immutable records for items, histories, samples, captions, chain-of-thought traces,
 * assessments and rankings, and the pluggable interfaces of the MLLMRec-R1 pipeline. Nothing here depends on an
 * engine.
 */
package dev.mllmrec.api;
