package dev.mllmrec.spark;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.eval.RankingMetrics;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
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
 * Batch ranking as a Spark job: a trained SASRec or policy, loaded once per executor ({@link ExecutorModels}), ranks
 * every sample's candidates; the rankings are written as a Parquet table and scored with HR@K, NDCG@K and MRR. Each
 * ranking equals the one {@code evaluate} produces on one machine for the same samples and model (the same
 * recommender code, requests in batches of the same size); scores may differ in the last float bits, because a
 * forward pass over another batch composition may round differently.
 *
 * <p>The model is read from a path every executor sees: a local path in local mode or on a shared file system, or
 * a Hadoop URI ({@code hdfs://}, {@code s3a://}...), which is shipped to the executors with
 * {@code SparkContext.addFile} and read from their working folder.
 *
 * <p>Writes {@code OUT/rankings} ({@link #RANKING}), replacing what was there.
 *
 * <p>Thread-safe: stateless; each {@link #run} is one Spark job.
 */
public final class SparkRank {

    /** The job name, as the command line names it. */
    public static final String JOB = "rank";

    /** The requests per {@link Recommender#rankAll} call: {@code evaluate}'s batch. */
    public static final int DEFAULT_BATCH = 64;

    /**
     * One ranked sample: {@code sampleId, userId, target, rank} (the target's 0-based rank), {@code top} (the best
     * 10 ids, as {@code evaluate}'s per-user file), {@code ranked} (every candidate, best first) and their
     * {@code scores}.
     */
    public static final StructType RANKING = new StructType()
            .add("sampleId", DataTypes.StringType, false)
            .add("userId", DataTypes.StringType, false)
            .add("target", DataTypes.IntegerType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("top", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("ranked", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("scores", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

    /**
     * What to rank.
     *
     * @param samples    the samples: {@link SparkPrepare}'s {@code OUT/samples}, or a single machine's
     *                   {@code samples.jsonl}, or any Parquet table of {@link SampleRows#SAMPLE} rows
     * @param split      the split to rank when the table holds several sets
     * @param negatives  the negatives of the set to rank when the table holds several sets
     * @param model      the model kind
     * @param modelPath  a SASRec checkpoint folder, or for a policy the work directory
     * @param out        the output folder
     * @param partitions the number of partitions the samples are spread over (0: as they are read)
     * @param batchSize  requests per ranking call
     */
    public record Options(String samples, String split, int negatives, ExecutorModels.Kind model, String modelPath,
                          String out, int partitions, int batchSize) {

        /** Validates. */
        public Options {
            Objects.requireNonNull(samples, "samples");
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(modelPath, "modelPath");
            Objects.requireNonNull(out, "out");
            if (negatives < 1) {
                throw new IllegalArgumentException("--negatives must be at least 1, got " + negatives + ".");
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be 0 or more, got " + partitions + ".");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize + ".");
            }
        }
    }

    /**
     * What a run did: the JSON summary.
     *
     * @param job          {@code rank}
     * @param model        the model kind
     * @param samples      samples ranked
     * @param metrics      HR@1/3/5/10, NDCG@1/3/5/10 and MRR over the samples
     * @param partitions   the partitions ranked in
     * @param master       the Spark master
     * @param sparkVersion Spark's version
     * @param seconds      wall-clock time of the run
     * @param options      the options
     */
    public record Summary(String job, String model, long samples, Map<String, Double> metrics, int partitions,
                          String master, String sparkVersion, double seconds, Options options) {
    }

    private SparkRank() {
    }

    /** Runs the job and returns its summary (the caller writes it). */
    public static Summary run(SparkSession spark, Options o) {
        long start = System.nanoTime();
        ExecutorFiles model = ExecutorFiles.of(spark, o.modelPath());
        Dataset<Row> samples = Tables.samples(spark, o.samples(), o.split(), o.negatives());
        if (o.partitions() > 0) {
            samples = samples.repartition(o.partitions());
        }
        int partitions = samples.rdd().getNumPartitions();
        Dataset<Row> rankings = samples.mapPartitions(new RankPartition(o.model(), model, o.batchSize()),
                Encoders.row(RANKING));
        rankings.write().mode(SaveMode.Overwrite).parquet(o.out() + "/rankings");
        long[] histogram = new long[1];
        long n = 0;
        for (Row r : spark.read().parquet(o.out() + "/rankings").groupBy("rank").count().collectAsList()) {
            int rank = r.getInt(0);
            if (rank >= histogram.length) {
                histogram = java.util.Arrays.copyOf(histogram, rank + 1);
            }
            histogram[rank] += r.getLong(1);
            n += r.getLong(1);
        }
        if (n == 0) {
            throw new IllegalArgumentException("No " + o.split() + " samples with " + o.negatives()
                    + " negatives in " + o.samples() + ": prepare that set first (or name another with --split and "
                    + "--negatives).");
        }
        return new Summary(JOB, o.model().id(), n, metrics(histogram), partitions, spark.sparkContext().master(),
                spark.version(), (System.nanoTime() - start) / 1e9, o);
    }

    /**
     * The metrics of {@link RankingMetrics#summarize} from a histogram of ranks ({@code counts[r]} samples had the
     * target at rank {@code r}), so that no rank list is collected however many samples there are.
     */
    public static Map<String, Double> metrics(long[] counts) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int k : RankingMetrics.CUTOFFS) {
            double sum = 0;
            for (int r = 0; r < counts.length; r++) {
                sum += counts[r] * RankingMetrics.hitRate(r, k);
            }
            out.put("HR@" + k, n == 0 ? 0.0 : sum / n);
        }
        for (int k : RankingMetrics.CUTOFFS) {
            double sum = 0;
            for (int r = 0; r < counts.length; r++) {
                sum += counts[r] * RankingMetrics.ndcg(r, k);
            }
            out.put("NDCG@" + k, n == 0 ? 0.0 : sum / n);
        }
        double sum = 0;
        for (int r = 0; r < counts.length; r++) {
            sum += counts[r] * RankingMetrics.reciprocalRank(r);
        }
        out.put("MRR", n == 0 ? 0.0 : sum / n);
        return out;
    }

    /** Ranks one partition's samples in batches with the executor's model. */
    static final class RankPartition implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final ExecutorModels.Kind kind;
        private final ExecutorFiles model;
        private final int batchSize;

        RankPartition(ExecutorModels.Kind kind, ExecutorFiles model, int batchSize) {
            this.kind = kind;
            this.model = model;
            this.batchSize = batchSize;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            Recommender recommender = ExecutorModels.get(kind, model.local());
            return new Iterator<>() {
                private Iterator<Row> batch = List.<Row>of().iterator();

                @Override
                public boolean hasNext() {
                    while (!batch.hasNext() && input.hasNext()) {
                        batch = rank(recommender, input).iterator();
                    }
                    return batch.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return batch.next();
                }
            };
        }

        private List<Row> rank(Recommender recommender, Iterator<Row> input) {
            List<RecommendationSample> samples = new ArrayList<>(batchSize);
            while (samples.size() < batchSize && input.hasNext()) {
                samples.add(SampleRows.toSample(input.next()));
            }
            List<RankingRequest> requests = samples.stream().map(RecommendationSample::request).toList();
            List<Ranking> rankings = recommender.rankAll(requests);
            List<Row> out = new ArrayList<>(samples.size());
            for (int i = 0; i < samples.size(); i++) {
                RecommendationSample s = samples.get(i);
                Ranking r = rankings.get(i);
                Evaluator.check(recommender.name(), s, r);
                List<Integer> ids = r.ids();
                List<Double> scores = r.items().stream().map(ScoredItem::score).toList();
                out.add(RowFactory.create(s.sampleId(), s.userId(), s.target(), r.rankOf(s.target()),
                        SampleRows.seq(ids.subList(0, Math.min(Evaluator.TOP, ids.size()))), SampleRows.seq(ids),
                        SampleRows.seq(scores)));
            }
            return out;
        }
    }
}
