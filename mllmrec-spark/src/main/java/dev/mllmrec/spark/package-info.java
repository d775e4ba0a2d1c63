/**
 * mllmrec's offline stages and batch ranking as Apache Spark jobs (Java API, Spark {@code provided}): {@link
 * dev.mllmrec.spark.SparkPrepare} (leave-one-out samples and negatives) and {@link dev.mllmrec.spark.SparkRank}
 * (batch ranking with a SASRec or policy loaded once per executor), each with the same answers as the
 * single-machine command, however the data is partitioned; {@link dev.mllmrec.spark.SyntheticLog} writes test data
 * of any size. The command line is {@link dev.mllmrec.spark.cli.SparkMain}.
 */
package dev.mllmrec.spark;
