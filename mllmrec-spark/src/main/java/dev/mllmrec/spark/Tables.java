package dev.mllmrec.spark;

import static org.apache.spark.sql.functions.col;

import dev.mllmrec.api.InvalidDataException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the tables the jobs take, by the path's form: {@code .csv} (a header line), {@code .jsonl} or {@code .json}
 * (JSON Lines, the library's own files), anything else Parquet (a file or a folder of parts).
 *
 * <p>Thread-safe: stateless.
 */
public final class Tables {

    private Tables() {
    }

    /** Reads a table by the path's form. */
    public static Dataset<Row> read(SparkSession spark, String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".csv")) {
            return spark.read().option("header", true).csv(path);
        }
        if (p.endsWith(".jsonl") || p.endsWith(".json")) {
            return spark.read().json(path);
        }
        return spark.read().parquet(path);
    }

    /**
     * The interactions table as {@code userId string, itemId int, timestamp long}: the item column is
     * {@code itemId} or {@code movieId} (MovieLens); values that are no numbers become nulls ({@code try_cast}: Spark 4's ANSI
     * mode fails a plain cast with a message that names neither the file nor the user), which the jobs report.
     *
     * @throws InvalidDataException naming the path and the columns it has when a column is missing
     */
    public static Dataset<Row> interactions(SparkSession spark, String path) {
        Dataset<Row> raw = read(spark, path);
        List<String> columns = Arrays.asList(raw.columns());
        String item = columns.contains("itemId") ? "itemId" : columns.contains("movieId") ? "movieId" : null;
        if (item == null || !columns.contains("userId") || !columns.contains("timestamp")) {
            throw new InvalidDataException(path, 1, String.join(",", columns),
                    "an interactions table needs the columns userId, itemId (or movieId) and timestamp");
        }
        return raw.select(trimmed("userId").as("userId"), trimmed(item).try_cast("int").as("itemId"),
                trimmed("timestamp").try_cast("long").as("timestamp"));
    }

    /**
     * The distinct item ids of a catalog table (column {@code id}, {@code itemId} or {@code movieId}), ascending.
     *
     * @throws InvalidDataException naming the path when it has none of those columns or an id is not a number
     */
    public static int[] itemIds(SparkSession spark, String path) {
        Dataset<Row> raw = read(spark, path);
        List<String> columns = Arrays.asList(raw.columns());
        String id = columns.contains("id") ? "id" : columns.contains("itemId") ? "itemId"
                : columns.contains("movieId") ? "movieId" : null;
        if (id == null) {
            throw new InvalidDataException(path, 1, String.join(",", columns),
                    "a catalog table needs a column id, itemId or movieId");
        }
        List<Integer> ids = raw.select(trimmed(id).try_cast("int")).distinct().as(Encoders.INT()).collectAsList();
        if (ids.contains(null)) {
            throw new InvalidDataException(path, 0, "", "a catalog item id is missing or not a number");
        }
        return ids.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * The samples of one set: a JSON Lines file of {@code RecommendationSample}s (a single machine's
     * {@code W/samples/<key>/samples.jsonl}) or a Parquet table of {@link SampleRows#SAMPLE} rows; when the table
     * holds several sets (the {@code split} and {@code negatives} columns that {@link SparkPrepare} writes), the
     * one asked for.
     *
     * @throws InvalidDataException naming the path when it lacks the sample columns or holds no such set
     */
    public static Dataset<Row> samples(SparkSession spark, String path, String split, int negatives) {
        String p = path.toLowerCase(Locale.ROOT);
        Dataset<Row> raw = p.endsWith(".jsonl") || p.endsWith(".json")
                ? spark.read().schema(SampleRows.SAMPLE).json(path) : spark.read().parquet(path);
        List<String> columns = Arrays.asList(raw.columns());
        for (String c : SampleRows.SAMPLE.fieldNames()) {
            if (!columns.contains(c)) {
                throw new InvalidDataException(path, 1, String.join(",", columns),
                        "a samples table needs the columns " + String.join(",", SampleRows.SAMPLE.fieldNames()));
            }
        }
        if (columns.contains("split") && columns.contains("negatives")) {
            raw = raw.where(col("split").equalTo(split).and(col("negatives").equalTo(negatives)));
        }
        return raw.select(Arrays.stream(SampleRows.SAMPLE.fieldNames()).map(org.apache.spark.sql.functions::col)
                .toArray(Column[]::new));
    }

    /** The columns of a trace: the fields of {@code CotTrace}, in its order. */
    public static final StructType TRACE = new StructType()
            .add("sampleId", DataTypes.StringType, false)
            .add("generatorId", DataTypes.StringType, true)
            .add("text", DataTypes.StringType, true)
            .add("steps", DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add("valid", DataTypes.BooleanType, true);

    /**
     * The traces of {@code path}: a single machine's {@code cot.jsonl} (JSON Lines of {@code CotTrace}) or the
     * {@code build-cot} job's Parquet, whose failed windows (a non-null {@code error}) are left out. A sample with
     * several traces keeps the first in the table's order, as {@code CotPipeline.readTraces} does.
     *
     * @throws InvalidDataException naming the path when it lacks the trace columns
     */
    public static Dataset<Row> traces(SparkSession spark, String path) {
        return firstPerSample(table(spark, path, TRACE, "traces"), TRACE);
    }

    /**
     * The rows of {@code path} with {@code schema}'s columns (JSON Lines read with the schema, anything else as
     * Parquet; rows with a non-null {@code error} column left out).
     */
    static Dataset<Row> table(SparkSession spark, String path, StructType schema, String what) {
        String p = path.toLowerCase(Locale.ROOT);
        boolean json = p.endsWith(".jsonl") || p.endsWith(".json");
        Dataset<Row> raw = json ? spark.read().schema(schema).json(path) : spark.read().parquet(path);
        List<String> columns = Arrays.asList(raw.columns());
        for (String c : schema.fieldNames()) {
            if (!columns.contains(c)) {
                throw new InvalidDataException(path, 1, String.join(",", columns),
                        "a " + what + " table needs the columns " + String.join(",", schema.fieldNames()));
            }
        }
        if (columns.contains("error")) {
            raw = raw.where(col("error").isNull());
        }
        return raw;
    }

    /**
     * One row per {@code sampleId}: the first in the table's order (files and splits in order, rows in order within
     * each, as {@code monotonically_increasing_id} numbers them), with {@code schema}'s columns.
     */
    static Dataset<Row> firstPerSample(Dataset<Row> rows, StructType schema) {
        Column[] fields = Arrays.stream(schema.fieldNames()).filter(f -> !f.equals("sampleId"))
                .map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        return rows.withColumn("_order", org.apache.spark.sql.functions.monotonically_increasing_id())
                .groupBy("sampleId")
                .agg(org.apache.spark.sql.functions.min_by(org.apache.spark.sql.functions.struct(fields),
                        col("_order")).as("_first"))
                .select(Arrays.stream(schema.fieldNames())
                        .map(f -> f.equals("sampleId") ? col(f) : col("_first." + f).as(f)).toArray(Column[]::new));
    }

    private static Column trimmed(String name) {
        return org.apache.spark.sql.functions.trim(col(name).cast("string"));
    }
}
