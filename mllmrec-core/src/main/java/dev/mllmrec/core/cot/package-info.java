/**
 * Chain-of-thought supervision: four-step reasoning texts about a user's next intent, their generators (built-in and
 * OpenAI-compatible), the parser, and the {@link dev.mllmrec.core.cot.CotPipeline} facade behind the
 * {@code build-cot}, {@code assess} and {@code augment} commands.
 */
package dev.mllmrec.core.cot;
