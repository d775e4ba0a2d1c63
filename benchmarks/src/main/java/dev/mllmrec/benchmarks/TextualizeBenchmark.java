package dev.mllmrec.benchmarks;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.core.textualize.BuiltinTextualizer;
import dev.mllmrec.core.textualize.SafeImageDecoder;
import dev.mllmrec.core.textualize.Thumbnail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Built-in visual textualization throughput, in images per second, on the real MovieLens posters: the full
 * {@link BuiltinTextualizer} (decode, features, caption) against the baseline of decoding alone. Both run on two
 * threads (the two-core target of the issue; change with {@code -t}). Posters are read from
 * {@code -Dmllmrec.posters=DIR} or {@code ../shared/data/movielens/posters}; without them the benchmark is skipped
 * (its set-up fails with a message saying so).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TextualizeBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(2)
public class TextualizeBenchmark {

    private static final int MAX_IMAGES = 1024;

    private byte[][] images;
    private Item[] items;
    private final SafeImageDecoder decoder = new SafeImageDecoder();
    private final BuiltinTextualizer textualizer = new BuiltinTextualizer(decoder);

    /** Each benchmark thread walks the posters from its own position. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int take(int n) {
            int i = next;
            next = (next + 1) % n;
            return i;
        }
    }

    @Setup
    public void load() throws IOException {
        Path dir = Path.of(System.getProperty("mllmrec.posters", "../shared/data/movielens/posters"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Skipped: no posters at " + dir.toAbsolutePath()
                    + " (set -Dmllmrec.posters=DIR).");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jpg")).sorted().limit(MAX_IMAGES).toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("Skipped: no .jpg posters in " + dir.toAbsolutePath() + ".");
        }
        images = new byte[files.size()][];
        items = new Item[files.size()];
        for (int i = 0; i < files.size(); i++) {
            images[i] = Files.readAllBytes(files.get(i));
            items[i] = new Item(i + 1, "Poster " + (i + 1) + " (2000)", null, null, files.get(i).toString());
        }
    }

    /** Baseline: safe decoding into the thumbnail only. */
    @Benchmark
    public Thumbnail decodeOnly(Cursor cursor) throws TextualizationException {
        int i = cursor.take(images.length);
        return decoder.decode(images[i], items[i].image());
    }

    /** The whole built-in textualizer: decode, measure, write the caption. */
    @Benchmark
    public String describe(Cursor cursor) throws TextualizationException {
        int i = cursor.take(images.length);
        return textualizer.describe(items[i], images[i]);
    }
}
