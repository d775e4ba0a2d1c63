package dev.mllmrec.spark;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;

/**
 * A file or folder a job's tasks read (a model checkpoint, a catalog), as executors find it: a path without a
 * scheme is read where it is (local mode, or a file system every executor mounts); a Hadoop URI ({@code hdfs://},
 * {@code s3a://}...) is shipped with {@code SparkContext.addFile(path, recursive)} and read from each executor's
 * {@link SparkFiles} folder. ({@code addFile} refuses local folders outside local mode, so those are never shipped.)
 *
 * <p>Immutable and serializable: made on the driver, resolved in tasks.
 */
public final class ExecutorFiles implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String shippedName;

    private ExecutorFiles(String path, String shippedName) {
        this.path = path;
        this.shippedName = shippedName;
    }

    /** {@code path} for the tasks of {@code spark}'s jobs, shipped first when it is a Hadoop URI. */
    public static ExecutorFiles of(SparkSession spark, String path) {
        URI uri = URI.create(path.replace(" ", "%20"));
        String scheme = uri.getScheme();
        if (scheme != null && scheme.length() > 1 && !scheme.equals("file")) {
            spark.sparkContext().addFile(path, true);
            return new ExecutorFiles(path, Path.of(uri.getPath()).getFileName().toString());
        }
        return new ExecutorFiles(scheme != null && scheme.equals("file") ? Path.of(uri).toString() : path, null);
    }

    /** The path as given. */
    public String path() {
        return path;
    }

    /** The local path to read in a task. */
    public String local() {
        return shippedName == null ? path : SparkFiles.get(shippedName);
    }
}
