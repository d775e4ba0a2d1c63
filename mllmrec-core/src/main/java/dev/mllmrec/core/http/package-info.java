/**
 * A small OpenAI-compatible chat-completions client (vLLM, Ollama, llama.cpp server, hosted APIs) with timeouts,
 * bounded concurrency and retries, shared by the vision textualizer and the chain-of-thought generators.
 */
package dev.mllmrec.core.http;
