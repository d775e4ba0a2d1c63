/** Sentence encoders that turn short texts into unit vectors: all-MiniLM-L6-v2 on ONNX Runtime and a TF-IDF fallback. */
package dev.mllmrec.core.embed;
