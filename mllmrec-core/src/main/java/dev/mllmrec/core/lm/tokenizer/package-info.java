/** Text tokenizers behind one interface: the compact word-level vocabulary and any Hugging Face tokenizer.json. */
package dev.mllmrec.core.lm.tokenizer;
