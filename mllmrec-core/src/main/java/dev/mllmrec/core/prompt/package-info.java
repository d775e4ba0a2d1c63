/** Prompts in the MLLMRec-R1 reference wording, and parsing of the model's {@code [ITEM_<id>] <title>} answers. */
package dev.mllmrec.core.prompt;
