package dev.mllmrec.spark;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.DataPreparation;
import dev.mllmrec.core.data.Dataset;
import dev.mllmrec.core.data.MovieLensReader;
import dev.mllmrec.core.data.PrepareConfig;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** What the Spark tests share: a small local session, MovieLens, and the single-machine prepare of it. */
final class SparkTesting {

    private static Dataset movielens;
    private static PreparedData prepared;

    private SparkTesting() {
    }

    /** A local[2] session with tiny shuffles and no UI: one per test class. */
    static SparkSession session(String name) {
        return session(name, "local[2]");
    }

    /** A session on {@code master} ({@code local[2,2]}: two threads, a failed task tried twice). */
    static SparkSession session(String name, String master) {
        return SparkSession.builder().master(master).appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "localhost")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.sql.adaptive.enabled", "false")
                .getOrCreate();
    }

    static Path shared() {
        return Path.of(System.getProperty("mllmrec.shared.dir", "../../shared"));
    }

    /** MovieLens's {@code ratings.csv}. */
    static Path ratings() {
        return shared().resolve("data/movielens/ml-latest-small/ratings.csv");
    }

    /** MovieLens as the single-machine reader reads it (defaults: at least 10 interactions). */
    static synchronized Dataset movielens() {
        if (movielens == null) {
            movielens = MovieLensReader.builder().setRoot(shared().resolve("data/movielens")).build().read();
        }
        return movielens;
    }

    /** The single-machine prepare of MovieLens with the defaults, in {@code target/spark-test/movielens}. */
    static synchronized PreparedData prepared() {
        if (prepared == null) {
            Dataset d = movielens();
            WorkDir w = WorkDir.of(Path.of("target/spark-test/movielens"));
            DataPreparation.prepare(d, PrepareConfig.defaults(d.name(), "movielens", "movielens"), w);
            prepared = PreparedData.load(w);
        }
        return prepared;
    }

    /** The single-machine samples of one set. */
    static List<RecommendationSample> singleMachine(Split split, int negatives) {
        return prepared().samples(split, negatives).samples();
    }

    /** Sorted by sample id. */
    static List<RecommendationSample> sorted(List<RecommendationSample> samples) {
        List<RecommendationSample> out = new ArrayList<>(samples);
        out.sort(Comparator.comparing(RecommendationSample::sampleId));
        return out;
    }
}
