/** JMH benchmarks, one concept per class, each with its baseline beside it. */
package dev.mllmrec.benchmarks;
