package dev.mllmrec.spark;

import dev.mllmrec.api.RecommendationSample;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark table layouts of the library's records and the conversions between rows and records.
 *
 * <p>Samples: {@code sampleId string, userId string, history array<int>, target int, candidates array<int>}, the
 * fields of {@link RecommendationSample} in its order (so a JSON Lines sample file of one machine reads with this
 * schema), plus {@code split string, negatives int} when several sample sets share one table.
 *
 * <p>Thread-safe: stateless.
 */
public final class SampleRows {

    /** The columns of one sample, as {@link RecommendationSample} declares them. */
    public static final StructType SAMPLE = new StructType()
            .add("sampleId", DataTypes.StringType, false)
            .add("userId", DataTypes.StringType, false)
            .add("history", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("target", DataTypes.IntegerType, false)
            .add("candidates", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    /** {@link #SAMPLE} plus the sample set it belongs to: {@code split} and {@code negatives}. */
    public static final StructType SAMPLE_IN_SET = SAMPLE
            .add("split", DataTypes.StringType, false)
            .add("negatives", DataTypes.IntegerType, false);

    /** One user's chronological sequence: {@code userId string, items array<int>}. */
    public static final StructType SEQUENCE = new StructType()
            .add("userId", DataTypes.StringType, false)
            .add("items", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private SampleRows() {
    }

    /** A {@link #SAMPLE_IN_SET} row. */
    public static Row toRow(RecommendationSample s, String split, int negatives) {
        return RowFactory.create(s.sampleId(), s.userId(), seq(s.history()), s.target(), seq(s.candidates()), split,
                negatives);
    }

    /** The sample of a row with the {@link #SAMPLE} columns first (further columns are ignored). */
    public static RecommendationSample toSample(Row row) {
        return new RecommendationSample(row.getString(0), row.getString(1), list(row, 2), row.getInt(3),
                list(row, 4));
    }

    /** The integers of array column {@code i}, in order. */
    public static List<Integer> list(Row row, int i) {
        List<Object> values = row.getList(i);
        List<Integer> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(((Number) v).intValue());
        }
        return out;
    }

    /**
     * A Java list as the Scala sequence a row's array column holds: the row encoder of Spark 4 casts array values to
     * {@code scala.collection.Seq} and fails on a {@code java.util.List}.
     */
    public static <T> scala.collection.Seq<T> seq(List<T> values) {
        return scala.jdk.javaapi.CollectionConverters.asScala(values);
    }
}
