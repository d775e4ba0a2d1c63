package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.mllmrec.api.CotGenerationException;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.CotPipeline;
import java.io.Serializable;
import java.util.Iterator;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code build-cot} stage as a Spark job: a four-step trace for every training window, by the built-in
 * reasoning writer (a pure function of the window's history, the catalog and the captions, so the traces equal the
 * single-machine {@code build-cot}'s, {@link CotPipeline#buildCot}, whatever the partitioning) or by a multimodal
 * LLM behind an OpenAI-compatible server ({@link CotGeneratorSpec}: the same request per window as on one machine).
 * The writer is built once per executor ({@link ExecutorModels#cot}): a server's client, and so its concurrency
 * and retry limits, is per executor, and each task keeps {@code concurrency} windows in flight.
 *
 * <p>Writes {@code OUT/cot} (Parquet, {@link #TRACE}: the {@link CotTrace} fields and {@code error}, the message of a
 * window whose generation failed, with a null text).
 *
 * <p>Thread-safe: stateless; each {@link #run} is one Spark job.
 */
public final class SparkBuildCot {

    /** The job name, as the command line names it. */
    public static final String JOB = "build-cot";

    /** One window's trace. */
    public static final StructType TRACE = new StructType()
            .add("sampleId", DataTypes.StringType, false)
            .add("generatorId", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, true)
            .add("steps", DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add("valid", DataTypes.BooleanType, false)
            .add("error", DataTypes.StringType, true);

    /**
     * What to reason about.
     *
     * @param samples    the training windows (the prepare job's {@code OUT/samples}, a {@code samples.jsonl}, or
     *                   Parquet with the sample columns)
     * @param negatives  the training set's negatives when the table holds several sets
     * @param catalog    {@code W/catalog.jsonl}
     * @param captions   {@code W/captions.jsonl}, or null
     * @param out        the output folder
     * @param partitions the number of partitions windows are spread over (0: as read)
     * @param generator  the reasoning writer
     */
    public record Options(String samples, int negatives, String catalog, String captions, String out,
                          int partitions, CotGeneratorSpec generator) {

        /** These options with the built-in writer. */
        public Options(String samples, int negatives, String catalog, String captions, String out, int partitions) {
            this(samples, negatives, catalog, captions, out, partitions, CotGeneratorSpec.builtin());
        }

        /** Validates. */
        public Options {
            Objects.requireNonNull(generator, "generator");
            Objects.requireNonNull(samples, "samples");
            Objects.requireNonNull(catalog, "catalog");
            Objects.requireNonNull(out, "out");
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be 0 or more, got " + partitions + ".");
            }
        }
    }

    /**
     * What a run did: the JSON summary.
     *
     * @param job          {@code build-cot}
     * @param windows      windows read
     * @param traces       traces written
     * @param valid        traces that parsed into four steps
     * @param failed       windows whose generation failed
     * @param partitions   the partitions generated in
     * @param master       the Spark master
     * @param sparkVersion Spark's version
     * @param seconds      wall-clock time
     * @param options      the options
     */
    public record Summary(String job, long windows, long traces, long valid, long failed, int partitions,
                          String master, String sparkVersion, double seconds, Options options) {
    }

    private SparkBuildCot() {
    }

    /** Runs the job and returns its summary. */
    public static Summary run(SparkSession spark, Options o) {
        long start = System.nanoTime();
        ExecutorFiles catalog = ExecutorFiles.of(spark, o.catalog());
        ExecutorFiles captions = o.captions() == null ? null : ExecutorFiles.of(spark, o.captions());
        Dataset<Row> samples = Tables.samples(spark, o.samples(), "train", o.negatives());
        if (o.partitions() > 0) {
            samples = samples.repartition(o.partitions());
        }
        int partitions = samples.rdd().getNumPartitions();
        samples.mapPartitions(new TracePartition(catalog, captions, o.generator()), Encoders.row(TRACE))
                .write().mode(SaveMode.Overwrite).parquet(o.out() + "/cot");
        Row stats = spark.read().parquet(o.out() + "/cot").agg(count(lit(1)),
                sum(when(col("error").isNull(), 1).otherwise(0)),
                sum(when(col("valid"), 1).otherwise(0))).first();
        long windows = stats.getLong(0);
        long traces = stats.isNullAt(1) ? 0 : stats.getLong(1);
        long valid = stats.isNullAt(2) ? 0 : stats.getLong(2);
        return new Summary(JOB, windows, traces, valid, windows - traces, partitions, spark.sparkContext().master(),
                spark.version(), (System.nanoTime() - start) / 1e9, o);
    }

    /** Writes one partition's traces with the executor's generator. */
    static final class TracePartition implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final ExecutorFiles catalog;
        private final ExecutorFiles captions;
        private final CotGeneratorSpec spec;

        TracePartition(ExecutorFiles catalog, ExecutorFiles captions, CotGeneratorSpec spec) {
            this.catalog = catalog;
            this.captions = captions;
            this.spec = spec;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            CotGenerator generator = ExecutorModels.cot(spec, catalog.local(),
                    captions == null ? null : captions.local());
            return Lazily.mapParallel(input, row -> {
                RecommendationSample s = SampleRows.toSample(row);
                try {
                    CotTrace t = generator.generate(CotPipeline.request(s));
                    return RowFactory.create(t.sampleId(), t.generatorId(), t.text(), SampleRows.seq(t.steps()), t.valid(),
                            null);
                } catch (CotGenerationException e) {
                    return RowFactory.create(s.sampleId(), generator.id(), null, null, false, e.getMessage());
                }
            }, spec.concurrency());
        }
    }
}
