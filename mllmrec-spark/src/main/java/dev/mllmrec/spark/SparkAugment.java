package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.mllmrec.api.CotTrace;
import dev.mllmrec.core.cot.CotParser;
import dev.mllmrec.core.cot.augment.Granularity;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.TrainingStage;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
import scala.Tuple2;

/**
 * The {@code augment} stage as a Spark job: for every training window, whether its prompt carries no reasoning,
 * the Step-3 criteria, or the full chain of thought, drawn from the traces kept by {@code assess} exactly as
 * {@link MixedGrainedAugmenter} draws them. A window's draw depends on the seed and its id only
 * ({@link MixedGrainedAugmenter#key}); the quota strategy's exact counts are reached by finding, with a distributed
 * sort of the eligible windows' keys, the last window of each quota, after which every row is decided on its own.
 * The lines equal the single-machine {@code augment}'s ({@code CotPipeline.augment}) whatever the partitioning.
 *
 * <p>Writes {@code OUT/train_<stage>} (Parquet, {@link #LINE}: the fields of {@code TrainingLine} without the
 * prompt, the granularity as {@code plain}, {@code criteria} or {@code full}).
 *
 * <p>Thread-safe: stateless; each {@link #run} is one Spark job.
 */
public final class SparkAugment {

    /** The job name, as the command line names it. */
    public static final String JOB = "augment";

    /** One training line. */
    public static final StructType LINE = SampleRows.SAMPLE
            .add("granularity", DataTypes.StringType, false)
            .add("reasoning", DataTypes.StringType, false);

    private static final StructType ASSESSED_JSON = new StructType()
            .add("trace", Tables.TRACE, true)
            .add("assessment", new StructType().add("kept", DataTypes.BooleanType, true), true);

    private static final StructType ASSESSED = Tables.TRACE.add("kept", DataTypes.BooleanType, true);

    /**
     * What to augment.
     *
     * @param samples      the training windows (as {@code build-cot} reads them)
     * @param negatives    the training set's negatives when the table holds several
     * @param assessed     the {@code assess} job's {@code OUT/assessed} or a single machine's
     *                     {@code W/cot_assessed.jsonl} (the first line of a sample wins)
     * @param stage        sft or grpo
     * @param cotProb      the fraction of all windows with the full CoT (null: the stage's reference value)
     * @param criteriaProb the fraction of all windows with Step 3 only
     * @param seed         the seed
     * @param strategy     quota or bernoulli
     * @param out          the output folder
     * @param partitions   the number of partitions windows are spread over (0: as joined)
     */
    public record Options(String samples, int negatives, String assessed, TrainingStage stage, Double cotProb,
                          double criteriaProb, long seed, MixedGrainedAugmenter.Strategy strategy, String out,
                          int partitions) {

        /** Validates. */
        public Options {
            Objects.requireNonNull(samples, "samples");
            Objects.requireNonNull(assessed, "assessed");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(out, "out");
            new MixedGrainedAugmenter(cotProb == null ? stage.referenceCotProbability() : cotProb, criteriaProb,
                    seed, strategy);
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be 0 or more, got " + partitions + ".");
            }
        }

        /** The full-CoT fraction used. */
        public double cotProbability() {
            return cotProb == null ? stage.referenceCotProbability() : cotProb;
        }
    }

    /**
     * What a run did.
     *
     * @param job          {@code augment}
     * @param stage        sft or grpo
     * @param mix          the realised mix, as the single-machine summary reports it
     * @param file         the folder written
     * @param partitions   the partitions drawn in
     * @param master       the Spark master
     * @param sparkVersion Spark's version
     * @param seconds      wall-clock time
     * @param options      the options
     */
    public record Summary(String job, String stage, MixedGrainedAugmenter.Mix mix, String file, int partitions,
                          String master, String sparkVersion, double seconds, Options options) {
    }

    private SparkAugment() {
    }

    /** Runs the job and returns its summary. */
    public static Summary run(SparkSession spark, Options o) {
        long start = System.nanoTime();
        Dataset<Row> samples = Tables.samples(spark, o.samples(), "train", o.negatives());
        List<Row> twice = samples.groupBy("sampleId").count().where(col("count").gt(1)).limit(1).collectAsList();
        if (!twice.isEmpty()) {
            throw new IllegalArgumentException("Sample id " + twice.get(0).getString(0) + " appears twice among the "
                    + "training samples.");
        }
        Dataset<Row> kept = assessed(spark, o.assessed()).where(col("kept"))
                .select(col("sampleId"), col("generatorId"), col("text"), col("steps"), col("valid"));
        Dataset<Row> joined = samples.join(kept, samples.col("sampleId").equalTo(kept.col("sampleId")), "left")
                .select(samples.col("sampleId"), col("userId"), col("history"), col("target"), col("candidates"),
                        col("generatorId"), col("text"), col("steps"), col("valid"));
        if (o.partitions() > 0) {
            joined = joined.repartition(o.partitions());
        }
        joined = joined.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            int partitions = joined.rdd().getNumPartitions();
            long n = joined.count();
            Dataset<Row> eligible = joined.where(col("valid").equalTo(true)).select("sampleId");
            long eligibleCount = eligible.count();
            double p = o.cotProbability();
            double q = o.criteriaProb();
            Draw draw;
            boolean shortfall;
            if (o.strategy() == MixedGrainedAugmenter.Strategy.QUOTA) {
                long wantFull = Math.round(p * n);
                long wantCriteria = Math.round(q * n);
                Tuple2<Long, String>[] last = lastOfQuotas(eligible, o.seed(),
                        new long[] {wantFull - 1, wantFull + wantCriteria - 1});
                draw = new Draw(o.strategy(), o.seed(), last[0], last[1], 0, 0);
                shortfall = eligibleCount < wantFull + wantCriteria;
            } else {
                double scale = eligibleCount == 0 ? 0 : (double) n / eligibleCount;
                double pFull = Math.min(1, p * scale);
                double pCriteria = Math.min(1 - pFull, q * scale);
                shortfall = (p + q) * scale > 1;
                draw = new Draw(o.strategy(), o.seed(), null, null, pFull, pCriteria);
            }
            String path = o.out() + "/train_" + o.stage().id();
            joined.mapPartitions(draw, Encoders.row(LINE)).write().mode(SaveMode.Overwrite).parquet(path);
            long full = 0;
            long criteria = 0;
            for (Row r : spark.read().parquet(path).groupBy("granularity").agg(count(lit(1))).collectAsList()) {
                if (r.getString(0).equals("full")) {
                    full = r.getLong(1);
                } else if (r.getString(0).equals("criteria")) {
                    criteria = r.getLong(1);
                }
            }
            double denom = Math.max(1, n);
            MixedGrainedAugmenter.Mix mix = new MixedGrainedAugmenter.Mix((int) n, (int) eligibleCount,
                    (int) (n - full - criteria), (int) criteria, (int) full, p, q, full / denom, criteria / denom,
                    (full + criteria) / denom, shortfall, o.strategy(), o.seed());
            if (shortfall) {
                System.err.println("warning: only " + eligibleCount + " of " + n + " samples have a kept trace: fewer "
                        + "than the " + (p + q) + " requested were injected.");
            }
            return new Summary(JOB, o.stage().id(), mix, path, partitions, spark.sparkContext().master(),
                    spark.version(), (System.nanoTime() - start) / 1e9, o);
        } finally {
            joined.unpersist();
        }
    }

    /**
     * The assessed traces of {@code path} with their {@code kept} flag, one per sample (the first): the
     * {@code assess} job's Parquet or a single machine's {@code cot_assessed.jsonl}.
     */
    static Dataset<Row> assessed(SparkSession spark, String path) {
        String p = path.toLowerCase(Locale.ROOT);
        Dataset<Row> rows;
        if (p.endsWith(".jsonl") || p.endsWith(".json")) {
            rows = spark.read().schema(ASSESSED_JSON).json(path).select(col("trace.sampleId").as("sampleId"),
                    col("trace.generatorId").as("generatorId"), col("trace.text").as("text"),
                    col("trace.steps").as("steps"), col("trace.valid").as("valid"),
                    col("assessment.kept").as("kept"));
        } else {
            rows = Tables.table(spark, path, ASSESSED, "assessed traces");
        }
        return Tables.firstPerSample(rows, ASSESSED);
    }

    /**
     * The (key, sample id) of the eligible windows at 0-based {@code positions} of the quota order (ascending key,
     * then id), null where a position is negative or beyond the last window (then the quota takes every window).
     */
    @SuppressWarnings("unchecked")
    private static Tuple2<Long, String>[] lastOfQuotas(Dataset<Row> eligible, long seed, long[] positions) {
        Tuple2<Long, String>[] out = new Tuple2[positions.length];
        boolean any = false;
        for (long pos : positions) {
            any |= pos >= 0;
        }
        if (!any) {
            return out;
        }
        List<Tuple2<Tuple2<Long, String>, Long>> hits = eligible
                .map((MapFunction<Row, Tuple2<Long, String>>) r -> new Tuple2<>(
                        MixedGrainedAugmenter.key(seed, r.getString(0)), r.getString(0)),
                        Encoders.tuple(Encoders.LONG(), Encoders.STRING()))
                .toDF("key", "sampleId").sort("key", "sampleId")
                .as(Encoders.tuple(Encoders.LONG(), Encoders.STRING())).javaRDD().zipWithIndex()
                .filter(t -> t._2() == positions[0] || t._2() == positions[1]).collect();
        for (int i = 0; i < positions.length; i++) {
            for (Tuple2<Tuple2<Long, String>, Long> h : hits) {
                if (h._2() == positions[i]) {
                    out[i] = h._1();
                }
            }
            if (out[i] == null && positions[i] >= 0) {
                out[i] = new Tuple2<>(Long.MAX_VALUE, null); // beyond the last: every eligible window
            }
        }
        return out;
    }

    /** Decides each window of a partition on its own. */
    static final class Draw implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final MixedGrainedAugmenter.Strategy strategy;
        private final long seed;
        private final Tuple2<Long, String> lastFull;
        private final Tuple2<Long, String> lastCriteria;
        private final double pFull;
        private final double pCriteria;

        Draw(MixedGrainedAugmenter.Strategy strategy, long seed, Tuple2<Long, String> lastFull,
             Tuple2<Long, String> lastCriteria, double pFull, double pCriteria) {
            this.strategy = strategy;
            this.seed = seed;
            this.lastFull = lastFull;
            this.lastCriteria = lastCriteria;
            this.pFull = pFull;
            this.pCriteria = pCriteria;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            return Lazily.map(input, r -> {
                Granularity g = Granularity.PLAIN;
                CotTrace t = null;
                if (!r.isNullAt(8) && r.getBoolean(8)) {
                    t = new CotTrace(r.getString(0), r.getString(5), r.getString(6), r.getList(7), true);
                    g = granularity(MixedGrainedAugmenter.key(seed, t.sampleId()), t.sampleId());
                }
                String reasoning = switch (g) {
                    case PLAIN -> "";
                    case CRITERIA -> "Step 3: " + t.step(3);
                    case FULL -> CotParser.canonical(t);
                };
                return RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4),
                        g.name().toLowerCase(Locale.ROOT), reasoning);
            });
        }

        private Granularity granularity(long key, String id) {
            if (strategy == MixedGrainedAugmenter.Strategy.QUOTA) {
                if (upTo(key, id, lastFull)) {
                    return Granularity.FULL;
                }
                return upTo(key, id, lastCriteria) ? Granularity.CRITERIA : Granularity.PLAIN;
            }
            double u = (key >>> 11) * 0x1.0p-53;
            if (u < pFull) {
                return Granularity.FULL;
            }
            return u < pFull + pCriteria ? Granularity.CRITERIA : Granularity.PLAIN;
        }

        /** Whether (key, id) comes at or before {@code last} in the quota order (null: the quota is empty). */
        private static boolean upTo(long key, String id, Tuple2<Long, String> last) {
            if (last == null) {
                return false;
            }
            if (last._2() == null) {
                return true;
            }
            int c = Long.compare(key, last._1());
            return c < 0 || c == 0 && id.compareTo(last._2()) <= 0;
        }
    }
}
