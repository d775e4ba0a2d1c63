/**
 * Work-directory stages: each reads the files of the stages before it and writes its own outputs and summary, so
 * that the command-line program and embedding applications run the same code.
 */
package dev.mllmrec.core.pipeline;
