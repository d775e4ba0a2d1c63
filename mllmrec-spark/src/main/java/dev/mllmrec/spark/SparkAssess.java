package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.core.embed.TfIdfEncoder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The {@code assess} stage as a Spark job with the single-machine command's assessor: the leakage veto, the format
 * and empty-reasoning checks, and the retrieval-agreement score (all-MiniLM-L6-v2 on ONNX Runtime, loaded once per
 * executor JVM by {@link ExecutorModels#assessor}, or TF-IDF), kept by threshold or by keep-fraction. Every trace's
 * assessment is a function of the trace, its sample, the catalog and the captions; the keep-fraction's cut (the
 * {@code round(F × eligible)} best-scoring eligible traces, ties by sample id) is found over the whole table by a
 * sort, so the assessments equal the single-machine {@code assess}'s ({@code CotPipeline.assess}) whatever the
 * partitioning.
 *
 * <p>Writes {@code OUT/assessed} (Parquet, {@link #ASSESSED}: the {@link CotTrace} fields and the
 * {@link Assessment}'s {@code kept, score, reason, scores}).
 *
 * <p>Thread-safe: stateless; each {@link #run} is one Spark job.
 */
public final class SparkAssess {

    /** The job name, as the command line names it. */
    public static final String JOB = "assess";

    /** One trace's assessment. */
    public static final StructType ASSESSED = new StructType()
            .add("sampleId", DataTypes.StringType, false)
            .add("generatorId", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false)
            .add("steps", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("valid", DataTypes.BooleanType, false)
            .add("kept", DataTypes.BooleanType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("reason", DataTypes.StringType, false)
            .add("scores", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false)
            .add("candidates", DataTypes.IntegerType, false);

    /**
     * What to assess.
     *
     * @param samples      the training windows (as {@code build-cot} reads them)
     * @param negatives    the training set's negatives when the table holds several
     * @param cot          the traces: the {@code build-cot} job's {@code OUT/cot} (failed windows are skipped) or a
     *                     single machine's {@code W/cot.jsonl} (the first line of a sample wins)
     * @param catalog      {@code W/catalog.jsonl}
     * @param captions     {@code W/captions.jsonl}, or null
     * @param out          the output folder
     * @param partitions   the number of partitions traces are spread over (0: as joined)
     * @param assessors    any of {@code leakage}, {@code retrieval}
     * @param encoder      {@code minilm} (falls back to {@code tfidf} when ONNX Runtime or the model is not on the
     *                     driver's class path, as the single-machine command does) or {@code tfidf}
     * @param query        {@code criteria} or {@code full}
     * @param threshold    keep traces scoring at least this (null: no threshold)
     * @param keepFraction keep the best fraction of the eligible traces (null: all)
     */
    public record Options(String samples, int negatives, String cot, String catalog, String captions, String out,
                          int partitions, List<String> assessors, String encoder, String query, Double threshold,
                          Double keepFraction) {

        /** Validates. */
        public Options {
            Objects.requireNonNull(samples, "samples");
            Objects.requireNonNull(cot, "cot");
            Objects.requireNonNull(catalog, "catalog");
            Objects.requireNonNull(out, "out");
            assessors = List.copyOf(assessors);
            for (String a : assessors) {
                if (!a.equals("leakage") && !a.equals("retrieval")) {
                    throw new IllegalArgumentException("Unknown assessor '" + a + "'; expected leakage or retrieval.");
                }
            }
            if (!encoder.equals("minilm") && !encoder.equals("tfidf")) {
                throw new IllegalArgumentException("Unknown --encoder '" + encoder + "'; expected minilm or tfidf.");
            }
            queryOf(query);
            if (threshold != null && keepFraction != null) {
                throw new IllegalArgumentException("Set a threshold (" + threshold + ") or a keep-fraction ("
                        + keepFraction + "), not both.");
            }
            if (keepFraction != null && !(keepFraction > 0 && keepFraction <= 1)) {
                throw new IllegalArgumentException("The keep-fraction must be in (0, 1], got " + keepFraction + ".");
            }
            if (threshold != null && !Double.isFinite(threshold)) {
                throw new IllegalArgumentException("The threshold must be finite, got " + threshold + ".");
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be 0 or more, got " + partitions + ".");
            }
        }

        /** The single-machine defaults: both assessors, MiniLM, the Step-3 criteria, every clean trace kept. */
        public static Options defaults(String samples, String cot, String catalog, String out) {
            return new Options(samples, 9, cot, catalog, null, out, 0, List.of("leakage", "retrieval"), "minilm",
                    "criteria", null, null);
        }
    }

    /**
     * What a run did: the single-machine summary's fields and the run's.
     *
     * @param job                    {@code assess}
     * @param total                  training windows given
     * @param missing                windows without a trace
     * @param assessed               traces assessed
     * @param kept                   traces kept
     * @param rejected               traces rejected
     * @param byReason               count per reason
     * @param meanScoreKept          mean score of kept traces (NaN: none)
     * @param meanScoreRejected      mean score of rejected traces
     * @param meanTargetRankKept     mean retrieval rank of the target for kept traces (NaN without retrieval)
     * @param meanTargetRankRejected the same for rejected traces
     * @param meanCandidates         mean candidates per assessed sample
     * @param config                 the assessor configuration and the encoder
     * @param partitions             the partitions assessed in
     * @param master                 the Spark master
     * @param sparkVersion           Spark's version
     * @param seconds                wall-clock time
     * @param options                the options
     */
    public record Summary(String job, long total, long missing, long assessed, long kept, long rejected,
                          Map<String, Long> byReason, double meanScoreKept, double meanScoreRejected,
                          double meanTargetRankKept, double meanTargetRankRejected, double meanCandidates,
                          Map<String, Object> config, int partitions, String master, String sparkVersion,
                          double seconds, Options options) {
    }

    private SparkAssess() {
    }

    /** Runs the job and returns its summary. */
    public static Summary run(SparkSession spark, Options o) {
        long start = System.nanoTime();
        String encoder = o.encoder();
        if (encoder.equals("minilm") && !MiniLmEncoder.available() && o.assessors().contains("retrieval")) {
            System.err.println("warning: all-MiniLM-L6-v2 is not on the classpath; using the TF-IDF encoder.");
            encoder = "tfidf";
        }
        ExecutorFiles catalog = ExecutorFiles.of(spark, o.catalog());
        ExecutorFiles captions = o.captions() == null ? null : ExecutorFiles.of(spark, o.captions());
        Dataset<Row> samples = Tables.samples(spark, o.samples(), "train", o.negatives());
        long total = samples.count();
        Dataset<Row> joined = samples.join(Tables.traces(spark, o.cot()), "sampleId")
                .select("sampleId", "userId", "history", "target", "candidates", "generatorId", "text", "steps",
                        "valid");
        if (o.partitions() > 0) {
            joined = joined.repartition(o.partitions());
        }
        int partitions = joined.rdd().getNumPartitions();
        Dataset<Row> assessed = joined.mapPartitions(new AssessPartition(catalog, captions, o.assessors(), encoder,
                o.query(), o.threshold()), Encoders.row(ASSESSED));
        String path = o.out() + "/assessed";
        if (o.keepFraction() == null) {
            assessed.write().mode(SaveMode.Overwrite).parquet(path);
        } else {
            assessed = assessed.persist(StorageLevel.MEMORY_AND_DISK());
            try {
                keepFraction(assessed, o.keepFraction()).write().mode(SaveMode.Overwrite).parquet(path);
            } finally {
                assessed.unpersist();
            }
        }
        Dataset<Row> written = spark.read().parquet(path);
        Row stats = written.agg(count(lit(1)), avg(col("candidates"))).first();
        long n = stats.getLong(0);
        Map<String, Long> byReason = new TreeMap<>();
        for (Row r : written.groupBy("reason").count().collectAsList()) {
            byReason.put(r.getString(0), r.getLong(1));
        }
        double[] score = new double[2];
        double[] rank = new double[2];
        long[] counts = new long[2];
        for (Row r : written.groupBy("kept").agg(count(lit(1)), avg(col("score")),
                avg(col("scores").getItem("retrieval.rank"))).collectAsList()) {
            int k = r.getBoolean(0) ? 0 : 1;
            counts[k] = r.getLong(1);
            score[k] = r.getDouble(2);
            rank[k] = r.isNullAt(3) ? Double.NaN : r.getDouble(3);
        }
        return new Summary(JOB, total, total - n, n, counts[0], counts[1], byReason,
                counts[0] == 0 ? Double.NaN : score[0], counts[1] == 0 ? Double.NaN : score[1],
                counts[0] == 0 ? Double.NaN : rank[0], counts[1] == 0 ? Double.NaN : rank[1],
                n == 0 ? Double.NaN : stats.getDouble(1), config(o, encoder), partitions,
                spark.sparkContext().master(), spark.version(), (System.nanoTime() - start) / 1e9, o);
    }

    /**
     * The keep-fraction's cut, as {@code CombinedAssessor.assessAll} makes it over all traces at once: with more
     * than one trace, the eligible ones (kept so far) ordered by descending score, then sample id, and all but the
     * first {@code round(F × eligible)} are {@code below-threshold}. The last kept trace is found by a distributed
     * sort; each row is then decided on its own against it.
     */
    static Dataset<Row> keepFraction(Dataset<Row> assessed, double fraction) {
        long n = assessed.count();
        if (n <= 1) {
            return assessed;
        }
        Dataset<Row> eligible = assessed.where(col("kept")).select("score", "sampleId");
        long keep = Math.round(fraction * eligible.count());
        Row last = null;
        if (keep > 0) {
            long index = keep - 1;
            List<Tuple2<Row, Long>> hit = eligible.sort(col("score").desc(), col("sampleId").asc()).javaRDD()
                    .zipWithIndex().filter(t -> t._2() == index).collect();
            last = hit.get(0)._1();
        }
        Double lastScore = last == null ? null : last.getDouble(0);
        String lastId = last == null ? null : last.getString(1);
        return assessed.map((MapFunction<Row, Row>) r -> {
            if (!r.getBoolean(5)) {
                return r;
            }
            boolean in = lastScore != null && (Double.compare(-r.getDouble(6), -lastScore) < 0
                    || Double.compare(-r.getDouble(6), -lastScore) == 0 && r.getString(0).compareTo(lastId) <= 0);
            if (in) {
                return r;
            }
            return RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), false, r.get(6),
                    CombinedAssessor.BELOW_THRESHOLD, r.get(8), r.get(9));
        }, Encoders.row(ASSESSED));
    }

    /** The configuration the single-machine summary records. */
    private static Map<String, Object> config(Options o, String encoder) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vetoes", o.assessors().contains("leakage") ? List.of("leakage") : List.of());
        c.put("scorers", o.assessors().contains("retrieval") ? List.of("retrieval") : List.of());
        c.put("weights", o.assessors().contains("retrieval") ? List.of(1.0) : List.of());
        c.put("threshold", o.threshold());
        c.put("keepFraction", o.keepFraction());
        c.put("requireValidFormat", true);
        if (o.assessors().contains("retrieval")) {
            c.put("encoder", encoder.equals("minilm") ? "minilm-l6-v2" : "tfidf-" + TfIdfEncoder.DEFAULT_DIMENSION);
            c.put("query", o.query());
        }
        return c;
    }

    static RetrievalAgreementAssessor.Query queryOf(String query) {
        return switch (query) {
            case "criteria" -> RetrievalAgreementAssessor.Query.CRITERIA;
            case "full" -> RetrievalAgreementAssessor.Query.FULL;
            default -> throw new IllegalArgumentException("Unknown --query '" + query + "'; expected criteria or full.");
        };
    }

    /** Assesses one partition's traces, {@value CombinedAssessor#CHUNK} at a time, with the executor's assessor. */
    static final class AssessPartition implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final ExecutorFiles catalog;
        private final ExecutorFiles captions;
        private final List<String> assessors;
        private final String encoder;
        private final String query;
        private final Double threshold;

        AssessPartition(ExecutorFiles catalog, ExecutorFiles captions, List<String> assessors, String encoder,
                        String query, Double threshold) {
            this.catalog = catalog;
            this.captions = captions;
            this.assessors = List.copyOf(assessors);
            this.encoder = encoder;
            this.query = query;
            this.threshold = threshold;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            CombinedAssessor assessor = ExecutorModels.assessor(catalog.local(),
                    captions == null ? null : captions.local(), assessors, encoder, queryOf(query), threshold)
                    .assessor();
            return new Iterator<>() {
                private final List<Row> out = new ArrayList<>();
                private int next;

                @Override
                public boolean hasNext() {
                    if (next < out.size()) {
                        return true;
                    }
                    out.clear();
                    next = 0;
                    List<CotTrace> traces = new ArrayList<>();
                    List<RecommendationSample> samples = new ArrayList<>();
                    while (input.hasNext() && traces.size() < CombinedAssessor.CHUNK) {
                        Row r = input.next();
                        samples.add(SampleRows.toSample(r));
                        traces.add(new CotTrace(r.getString(0), r.getString(5), r.getString(6), r.getList(7),
                                r.getBoolean(8)));
                    }
                    List<Assessment> as = assessor.assessAll(traces, samples);
                    for (int i = 0; i < as.size(); i++) {
                        CotTrace t = traces.get(i);
                        Assessment a = as.get(i);
                        out.add(RowFactory.create(t.sampleId(), t.generatorId(), t.text(), SampleRows.seq(t.steps()),
                                t.valid(), a.kept(), a.score(), a.reason(),
                                scala.jdk.javaapi.CollectionConverters.asScala(a.scores()),
                                samples.get(i).candidates().size()));
                    }
                    return !out.isEmpty();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return out.get(next++);
                }
            };
        }
    }
}
