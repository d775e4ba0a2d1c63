/**
 * Offline visual textualization: safe image decoding, the built-in and OpenAI-compatible textualizers, the caption
 * store and the parallel runner that turns every item image into a cached caption.
 */
package dev.mllmrec.core.textualize;
