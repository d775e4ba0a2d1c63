package dev.mllmrec.core.cot.io;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads training windows ({@link RecommendationSample} JSON Lines). A file is read as is; a directory is read as
 * every {@code *.jsonl} file under it whose name or folder contains {@code train}, in path order. The chain-of-thought inputs
 * are these windows: each one's history, never its target.
 */
public final class TrainingSamples {

    private TrainingSamples() {
    }

    /**
     * Finds the training samples the data module's {@code prepare} wrote: the single
     * {@code W/samples/train-*&#47;samples.jsonl} (the folder is named by the sampling config's key).
     *
     * @throws IllegalArgumentException when there is none, or several (then name one with {@code --train-samples})
     */
    public static Path locate(WorkDir workDir) {
        List<Path> found = new ArrayList<>();
        Path root = workDir.samples();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                s.filter(d -> d.getFileName().toString().startsWith("train-"))
                        .map(d -> d.resolve("samples.jsonl")).filter(Files::isRegularFile).sorted()
                        .forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException((found.isEmpty() ? "No training samples under " + root
                    + "; run 'prepare' first" : "Several training sample sets under " + root + " " + found)
                    + ", or name a file with --train-samples.");
        }
        return found.get(0);
    }

    /**
     * Reads the training samples at {@code path}.
     *
     * @throws InvalidDataException when a line is malformed or a sample id repeats
     * @throws IllegalArgumentException when nothing is found at {@code path}
     */
    public static List<RecommendationSample> load(Path path) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jsonl")
                        && path.relativize(p).toString().contains("train")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + path + ": " + e.getMessage(), e);
            }
        } else if (Files.isRegularFile(path)) {
            files.add(path);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("No training samples at " + path + ": expected a JSON Lines file of"
                    + " RecommendationSample records or a directory holding *train*.jsonl files.");
        }
        List<RecommendationSample> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path f : files) {
            for (RecommendationSample s : JsonLines.read(f, RecommendationSample.class)) {
                if (!ids.add(s.sampleId())) {
                    throw new InvalidDataException(f.toString(), 0, s.sampleId(), "sample id repeats");
                }
                out.add(s);
            }
        }
        return out;
    }
}
