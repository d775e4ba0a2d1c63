package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.data.NegativeSampler;
import dev.mllmrec.core.data.PrepareConfig;
import dev.mllmrec.core.data.SampleGenerator;
import dev.mllmrec.core.data.SamplingConfig;
import dev.mllmrec.core.data.Split;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The {@code prepare} stage as a Spark job: leave-one-out samples and negatives from an interactions table, equal
 * (after sorting) to what {@code DataPreparation.prepare} writes on one machine for the same interactions and
 * settings, however the table is partitioned.
 *
 * <p>Steps: the interactions ({@code userId}, {@code itemId} or {@code movieId}, {@code timestamp}) are grouped by
 * user and each user's sorted by {@code (timestamp, itemId)} (the library's chronological order); users with fewer
 * than {@code minInteractions} are dropped; the candidate pool is the catalog given, or else every item of a kept
 * sequence (what the MovieLens reader keeps), broadcast once; then every user's samples of every set are made by
 * {@link SampleGenerator#forUser}, whose random stream is derived from the seed and the sample id alone (never from
 * a partition or task), so a re-executed task writes the same rows.
 *
 * <p>Writes {@code OUT/sequences} ({@link SampleRows#SEQUENCE}) and {@code OUT/samples} ({@link
 * SampleRows#SAMPLE_IN_SET}, partitioned by {@code split} and {@code negatives}), both Parquet, replacing what was
 * there: a killed job leaves no {@code _SUCCESS} file and is simply run again.
 *
 * <p>Thread-safe: stateless; each {@link #run} is one Spark job.
 */
public final class SparkPrepare {

    /** The job name, as the command line names it. */
    public static final String JOB = "prepare";

    /**
     * What to prepare and how.
     *
     * @param interactions    the interactions table: a {@code .csv} file or folder with a header (MovieLens's
     *                        {@code ratings.csv} reads as it is), or Parquet
     * @param catalog         an optional table of the item ids negatives are drawn from (column {@code id},
     *                        {@code itemId} or {@code movieId}; JSON Lines such as {@code W/catalog.jsonl}, CSV or
     *                        Parquet); null: the items of the kept sequences
     * @param out             the output folder (any Hadoop file system)
     * @param minInteractions the fewest interactions a kept user has
     * @param history         the maximum history length of a sample
     * @param sampler         the negative sampler
     * @param seed            the seed every sample's stream derives from
     * @param evalNegatives   the negatives of the validation and test sets
     * @param trainNegatives  the negatives of the training windows
     * @param partitions      the number of partitions users are spread over (0: as Spark groups them)
     */
    public record Options(String interactions, String catalog, String out, int minInteractions, int history,
                         NegativeSampler sampler, long seed, List<Integer> evalNegatives, int trainNegatives,
                         int partitions) {

        /** Validates and copies. */
        public Options {
            Objects.requireNonNull(interactions, "interactions");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(sampler, "sampler");
            evalNegatives = List.copyOf(evalNegatives);
            // The single-machine config validates the same settings with the same messages.
            new PrepareConfig("spark", interactions, "table", false, minInteractions, history, sampler, seed, false,
                    evalNegatives, trainNegatives);
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be 0 or more, got " + partitions + ".");
            }
        }

        /** The single-machine defaults (history 9, at least 10 interactions, 9 and 99 negatives, seed 42). */
        public static Options defaults(String interactions, String out) {
            PrepareConfig d = PrepareConfig.defaults("spark", interactions, "table");
            return new Options(interactions, null, out, d.minInteractions(), d.history(), d.sampler(), d.seed(),
                    d.evalNegatives(), d.trainNegatives(), 0);
        }

        /** The same options spread over {@code n} partitions. */
        public Options withPartitions(int n) {
            return new Options(interactions, catalog, out, minInteractions, history, sampler, seed, evalNegatives,
                    trainNegatives, n);
        }
    }

    /**
     * What a run did: the JSON summary.
     *
     * @param job               {@code prepare}
     * @param users             users read
     * @param usersKept         users with at least the minimum number of interactions
     * @param interactionsKept  the interactions of the kept users
     * @param poolItems         the items negatives are drawn from
     * @param samples           the samples of each set, keyed {@code <split>-neg<m>}
     * @param partitions        the partitions the samples were made in
     * @param master            the Spark master
     * @param sparkVersion      Spark's version
     * @param seconds           wall-clock time of the run
     * @param options           the options
     */
    public record Summary(String job, long users, long usersKept, long interactionsKept, int poolItems,
                          Map<String, Long> samples, int partitions, String master, String sparkVersion,
                          double seconds, Options options) {
    }

    private SparkPrepare() {
    }

    /** The sample sets prepare writes, in order: train at the training negatives, then validation and test. */
    static List<SamplingConfig> sets(Options o) {
        PrepareConfig pc = new PrepareConfig("spark", o.interactions(), "table", false, o.minInteractions(),
                o.history(), o.sampler(), o.seed(), false, o.evalNegatives(), o.trainNegatives());
        List<SamplingConfig> out = new ArrayList<>();
        out.add(pc.sampling("", Split.TRAIN, o.trainNegatives()));
        for (Split split : List.of(Split.VALIDATION, Split.TEST)) {
            for (int m : o.evalNegatives()) {
                out.add(pc.sampling("", split, m));
            }
        }
        return out;
    }

    /** Runs the job and returns its summary (the caller writes it). */
    public static Summary run(SparkSession spark, Options o) {
        long start = System.nanoTime();
        Dataset<Row> interactions = Tables.interactions(spark, o.interactions());
        Dataset<Row> grouped = interactions.groupBy("userId").agg(
                sort_array(collect_list(struct(col("timestamp"), col("itemId")))).as("events"),
                sum(when(col("itemId").isNull().or(col("timestamp").isNull()), 1).otherwise(0)).as("bad"));
        Dataset<Row> users = grouped.select(col("userId"), col("events.itemId").as("items"), col("bad"));
        if (o.partitions() > 0) {
            users = users.repartition(o.partitions());
        }
        users = users.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Row stats = users.agg(count(lit(1)),
                    sum(when(size(col("items")).geq(o.minInteractions()), 1).otherwise(0)),
                    sum(when(size(col("items")).geq(o.minInteractions()), size(col("items"))).otherwise(0)),
                    sum(col("bad"))).first();
            long bad = stats.isNullAt(3) ? 0 : stats.getLong(3);
            if (bad > 0) {
                Row example = users.where(col("bad").gt(0).or(col("userId").isNull())).first();
                throw new InvalidDataException(o.interactions(), 0, String.valueOf(example.get(0)), bad
                        + " interactions have no itemId or timestamp (missing, or not a number), for example one"
                        + " of user " + example.get(0));
            }
            Dataset<Row> kept = users.where(size(col("items")).geq(o.minInteractions()))
                    .select(col("userId"), col("items"));
            int[] pool = o.catalog() != null ? Tables.itemIds(spark, o.catalog())
                    : kept.select(org.apache.spark.sql.functions.explode(col("items"))).distinct()
                            .as(Encoders.INT()).collectAsList().stream().mapToInt(Integer::intValue).sorted()
                            .toArray();
            Broadcast<int[]> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(pool);
            kept.write().mode(SaveMode.Overwrite).parquet(o.out() + "/sequences");
            Dataset<Row> samples = kept.flatMap(new UserSamples(shared, o, o.catalog()),
                    Encoders.row(SampleRows.SAMPLE_IN_SET));
            samples.write().mode(SaveMode.Overwrite).partitionBy("split", "negatives")
                    .parquet(o.out() + "/samples");
            Map<String, Long> counts = new LinkedHashMap<>();
            Map<String, Long> written = new LinkedHashMap<>();
            for (Row r : spark.read().parquet(o.out() + "/samples").groupBy("split", "negatives").count()
                    .collectAsList()) {
                written.put(r.getString(0) + "-neg" + r.getInt(1), r.getLong(2));
            }
            for (SamplingConfig sc : sets(o)) {
                String key = sc.split().id() + "-neg" + sc.negatives();
                counts.put(key, written.getOrDefault(key, 0L));
            }
            shared.destroy();
            return new Summary(JOB, stats.getLong(0), stats.getLong(1), stats.getLong(2), pool.length, counts,
                    kept.rdd().getNumPartitions(), spark.sparkContext().master(), spark.version(),
                    (System.nanoTime() - start) / 1e9, o);
        } finally {
            users.unpersist();
        }
    }

    /** One user's row to the rows of every sample set; a pure function of the row, the pool and the options. */
    static final class UserSamples implements FlatMapFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final Broadcast<int[]> pool;
        private final NegativeSampler sampler;
        private final long seed;
        private final int history;
        private final int[] splits;
        private final int[] negatives;
        private final String catalog;

        UserSamples(Broadcast<int[]> pool, Options o, String catalog) {
            this.pool = pool;
            this.sampler = o.sampler();
            this.seed = o.seed();
            this.history = o.history();
            List<SamplingConfig> sets = sets(o);
            this.splits = sets.stream().mapToInt(s -> s.split().ordinal()).toArray();
            this.negatives = sets.stream().mapToInt(SamplingConfig::negatives).toArray();
            this.catalog = catalog == null ? "the catalog" : catalog;
        }

        @Override
        public Iterator<Row> call(Row row) {
            String user = row.getString(0);
            if (user == null) {
                throw new InvalidDataException("interactions", 0, "", "an interaction has no userId");
            }
            List<Integer> items = SampleRows.list(row, 1);
            int[] ids = pool.value();
            for (int item : items) {
                if (Arrays.binarySearch(ids, item) < 0) {
                    throw new InvalidDataException(catalog, 0, Integer.toString(item), "user " + user + " has item "
                            + item + ", which is not in the catalog");
                }
            }
            UserHistory h = new UserHistory(user, items);
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < splits.length; i++) {
                Split split = Split.values()[splits[i]];
                SamplingConfig sc = new SamplingConfig("spark", "", split, history, negatives[i], sampler, seed);
                for (RecommendationSample s : SampleGenerator.forUser(ids, h, sc)) {
                    out.add(SampleRows.toRow(s, split.id(), negatives[i]));
                }
            }
            return out.iterator();
        }
    }
}
