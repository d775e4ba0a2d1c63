/** The command line of the Spark jobs. */
package dev.mllmrec.spark.cli;
