/**
 * Serving without libtorch: a dependency set of mllmrec-core without DJL's PyTorch engine, and a program that ranks
 * a work directory's test split with an ONNX export on ONNX Runtime alone.
 */
package dev.mllmrec.onnx;
