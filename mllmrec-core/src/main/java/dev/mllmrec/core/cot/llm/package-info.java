/**
 * Reasoning generators backed by OpenAI-compatible chat models: the pseudo chain of thought over history images
 * (a vision model) and its refinement over captions (a reasoning model), written against the small
 * {@link dev.mllmrec.core.cot.llm.ChatBackend} interface.
 */
package dev.mllmrec.core.cot.llm;
