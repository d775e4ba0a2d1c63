/**
 * The chain-of-thought file formats: assessed traces, the training-window loader, and the reference
 * implementation's {@code <name>_deepseek_cot.json} export and import.
 */
package dev.mllmrec.core.cot.io;
