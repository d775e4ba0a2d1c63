/**
 * Serving without libtorch: exporters that write a trained SASRec or policy as a standard ONNX model of its ranking
 * computation, built from the model's parts, and {@link dev.mllmrec.core.onnx.OnnxRecommender}, which ranks with
 * ONNX Runtime alone.
 */
package dev.mllmrec.core.onnx;
