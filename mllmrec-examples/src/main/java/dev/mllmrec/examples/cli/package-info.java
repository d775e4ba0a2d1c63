/** The {@code mllmrec} command-line program: one picocli subcommand per pipeline stage. */
package dev.mllmrec.examples.cli;
