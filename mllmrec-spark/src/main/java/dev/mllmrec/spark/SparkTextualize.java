package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.textualize.CaptionStore;
import dev.mllmrec.core.textualize.ImageLimits;
import dev.mllmrec.core.textualize.Textualization;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The {@code textualize} stage as a Spark job: every catalog item's image is read, hashed and described by the
 * captioner a {@link TextualizerSpec} names (the built-in one, or a vision-language model behind an
 * OpenAI-compatible server: one client per executor JVM, so its concurrency and retry limits hold per executor, and
 * {@code concurrency} items of a task in flight at once), the caption checked exactly as the single-machine
 * {@link Textualization} checks it ({@link Textualization#caption}); an item whose image hash, textualizer id and
 * version equal those of a caption from an earlier run ({@code previous}) keeps that caption without being
 * described again. The captions equal the single-machine command's for the same catalog.
 *
 * <p>Writes {@code OUT/captions} (Parquet, {@link #CAPTION}: the {@link Caption} fields, then {@code status}
 * {@code captioned}, {@code cached} or {@code failed}, and the failure's {@code reason}); image paths must be
 * readable by every executor (a shared file system).
 *
 * <p>Thread-safe: stateless; each {@link #run} is one Spark job.
 */
public final class SparkTextualize {

    /** The job name, as the command line names it. */
    public static final String JOB = "textualize";

    /** One item's outcome. */
    public static final StructType CAPTION = new StructType()
            .add("itemId", DataTypes.IntegerType, false)
            .add("imageSha256", DataTypes.StringType, true)
            .add("textualizerId", DataTypes.StringType, false)
            .add("textualizerVersion", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, true)
            .add("status", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, true);

    /**
     * What to caption.
     *
     * @param catalog       the items, JSON Lines of {@code Item} ({@code W/catalog.jsonl})
     * @param previous      captions of an earlier run to reuse ({@code OUT/captions} or a {@code captions.jsonl}),
     *                      or null
     * @param out           the output folder
     * @param partitions    the number of partitions items are spread over (0: as read)
     * @param maxImageBytes the largest image read
     */
    public record Options(String catalog, String previous, String out, int partitions, long maxImageBytes,
                          TextualizerSpec textualizer) {

        /** Validates. */
        public Options {
            Objects.requireNonNull(catalog, "catalog");
            Objects.requireNonNull(textualizer, "textualizer");
            Objects.requireNonNull(out, "out");
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must be 0 or more, got " + partitions + ".");
            }
            if (maxImageBytes < 1) {
                throw new IllegalArgumentException("--max-image-bytes must be positive, got " + maxImageBytes + ".");
            }
        }

        /** These options with the built-in captioner. */
        public Options(String catalog, String previous, String out, int partitions, long maxImageBytes) {
            this(catalog, previous, out, partitions, maxImageBytes, TextualizerSpec.builtin());
        }

        /**
         * The defaults: no earlier captions, Spark's partitions, the single machine's image size limit, the
         * built-in captioner.
         */
        public static Options defaults(String catalog, String out) {
            return new Options(catalog, null, out, 0, ImageLimits.DEFAULT.maxBytes());
        }
    }

    /**
     * What a run did: the JSON summary.
     *
     * @param job          {@code textualize}
     * @param items        items read
     * @param statuses     items per status
     * @param partitions   the partitions captioned in
     * @param master       the Spark master
     * @param sparkVersion Spark's version
     * @param seconds      wall-clock time
     * @param options      the options
     */
    public record Summary(String job, long items, Map<String, Long> statuses, int partitions, String master,
                          String sparkVersion, double seconds, Options options) {
    }

    private SparkTextualize() {
    }

    /** Runs the job and returns its summary. */
    public static Summary run(SparkSession spark, Options o) {
        long start = System.nanoTime();
        Dataset<Row> items = spark.read().textFile(o.catalog()).toDF("line").where(col("line").rlike("\\S"))
                .withColumn("id", get_json_object(col("line"), "$.id").try_cast("int"));
        Dataset<Row> joined;
        if (o.previous() != null) {
            Dataset<Row> prev = Tables.read(spark, o.previous()).where(col("text").isNotNull())
                    .select(col("itemId").as("prevId"), col("imageSha256").as("prevSha"),
                            col("textualizerId").as("prevTextualizer"),
                            col("textualizerVersion").as("prevVersion"), col("text").as("prevText"));
            joined = items.join(prev, items.col("id").equalTo(prev.col("prevId")), "left")
                    .select("line", "prevSha", "prevTextualizer", "prevVersion", "prevText");
        } else {
            org.apache.spark.sql.Column none = org.apache.spark.sql.functions.lit(null).cast("string");
            joined = items.select(col("line"), none.as("prevSha"), none.as("prevTextualizer"),
                    none.as("prevVersion"), none.as("prevText"));
        }
        if (o.partitions() > 0) {
            joined = joined.repartition(o.partitions());
        }
        int partitions = joined.rdd().getNumPartitions();
        Dataset<Row> captions = joined.mapPartitions(new CaptionPartition(o.catalog(), o.maxImageBytes(),
                o.previous() != null, o.textualizer()), Encoders.row(CAPTION));
        captions.write().mode(SaveMode.Overwrite).parquet(o.out() + "/captions");
        Map<String, Long> statuses = new LinkedHashMap<>();
        long n = 0;
        for (String s : List.of("captioned", "cached", "failed")) {
            statuses.put(s, 0L);
        }
        for (Row r : spark.read().parquet(o.out() + "/captions").groupBy("status").count().collectAsList()) {
            statuses.put(r.getString(0), r.getLong(1));
            n += r.getLong(1);
        }
        return new Summary(JOB, n, statuses, partitions, spark.sparkContext().master(), spark.version(),
                (System.nanoTime() - start) / 1e9, o);
    }

    /** Captions one partition's items with one textualizer. */
    static final class CaptionPartition implements MapPartitionsFunction<Row, Row>, Serializable {

        private static final long serialVersionUID = 1L;

        private final String catalog;
        private final long maxImageBytes;
        private final boolean previous;
        private final TextualizerSpec spec;

        CaptionPartition(String catalog, long maxImageBytes, boolean previous, TextualizerSpec spec) {
            this.catalog = catalog;
            this.maxImageBytes = maxImageBytes;
            this.previous = previous;
            this.spec = spec;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            VisualTextualizer textualizer = ExecutorModels.textualizer(spec);
            return Lazily.mapParallel(input, r -> {
                Item item;
                try {
                    item = Json.mapper().readValue(r.getString(0), Item.class);
                } catch (IOException e) {
                    throw new UncheckedIOException("A line of " + catalog + " is not an item: " + e.getMessage()
                            + " (line: " + abbreviate(r.getString(0)) + ")", e);
                }
                return caption(textualizer, item, previous ? r : null);
            }, spec.concurrency());
        }

        private Row caption(VisualTextualizer textualizer, Item item, Row prev) {
            String sha = null;
            try {
                byte[] bytes = Textualization.readImage(item, maxImageBytes);
                sha = CaptionStore.sha256(bytes);
                if (prev != null && sha.equals(prev.getString(1)) && textualizer.id().equals(prev.getString(2))
                        && textualizer.version().equals(prev.getString(3))) {
                    return RowFactory.create(item.id(), sha, textualizer.id(), textualizer.version(),
                            prev.getString(4), "cached", null);
                }
                Caption c = Textualization.caption(textualizer, item, bytes, sha);
                return RowFactory.create(c.itemId(), c.imageSha256(), c.textualizerId(), c.textualizerVersion(),
                        c.text(), "captioned", null);
            } catch (TextualizationException e) {
                return RowFactory.create(item.id(), sha, textualizer.id(), textualizer.version(), null, "failed",
                        e.getMessage());
            }
        }

        private static String abbreviate(String s) {
            return s.length() <= 120 ? s : s.substring(0, 120) + "...";
        }
    }
}
