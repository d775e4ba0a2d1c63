package dev.mllmrec.examples.cli;

import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.DataPreparation;
import dev.mllmrec.core.data.DataStats;
import dev.mllmrec.core.data.Dataset;
import dev.mllmrec.core.data.MovieLensReader;
import dev.mllmrec.core.data.NegativeSampler;
import dev.mllmrec.core.data.PrepareConfig;
import dev.mllmrec.core.data.PrepareSummary;
import dev.mllmrec.core.data.ReferenceFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prepare}: reads a dataset, filters it and writes the catalog, sequences and sample sets.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Reads MovieLens (or the MLLMRec-R1 reference format), keeps users with enough interactions "
                + "and writes W/catalog.jsonl, W/sequences.jsonl, the samples (train windows at 9 negatives, "
                + "validation and test at 9 and 99) under W/samples/ and W/prepare/summary.json.",
                "Rerunning with the same data and options reuses the cached samples."})
public final class PrepareCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--movielens", paramLabel = "DIR", required = true,
                description = "MovieLens folder: holds ratings.csv, or ml-latest-small/ (and posters/).")
        Path movielens;

        @Option(names = "--reference", paramLabel = "DIR", required = true,
                description = "Folder in the reference format: train.tsv, test.tsv, <name>_titles.csv.")
        Path reference;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "movielens",
            description = "Dataset name (and reference titles file <name>_titles.csv). Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Image folder of <movieId>.<ext> files. Default: posters/ beside the MovieLens files.")
    Path images;

    @Option(names = "--images-only", description = "Keep only items that have an image.")
    boolean imagesOnly;

    @Option(names = "--min-interactions", paramLabel = "N", defaultValue = "10",
            description = "Drop users with fewer interactions (after --images-only). Default: ${DEFAULT-VALUE}.")
    int minInteractions;

    @Option(names = "--history", paramLabel = "H", defaultValue = "9",
            description = "History length of a sample. Default: ${DEFAULT-VALUE}.")
    int history;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of negative sampling and shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--sampler", paramLabel = "STRATEGY", defaultValue = "uniform-window",
            description = "Negative sampling: uniform-window (exclude history and target, the reference) or "
                    + "uniform-user (exclude everything the user touched). Default: ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--lenient", description = "Skip and count bad input records instead of stopping at the first.")
    boolean lenient;

    @Option(names = "--export-reference", paramLabel = "DIR",
            description = "Also write the data in the reference format (train.tsv, test.tsv, <name>_titles.csv).")
    Path exportReference;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        NegativeSampler strategy = NegativeSampler.parse(sampler);
        Dataset dataset;
        String format;
        Path from;
        if (source.movielens != null) {
            from = source.movielens.toAbsolutePath().normalize();
            format = "movielens";
            dataset = MovieLensReader.builder().setRoot(from).optImages(images).optName(name)
                    .optImagesOnly(imagesOnly).optMinInteractions(minInteractions).optLenient(lenient).build().read();
        } else {
            from = source.reference.toAbsolutePath().normalize();
            format = "reference";
            if (imagesOnly || images != null) {
                throw new IllegalArgumentException("--images-only and --images apply to --movielens only; the "
                        + "reference format has no images.");
            }
            dataset = ReferenceFormat.read(from, name, minInteractions, lenient);
        }
        if (dataset.sequences().isEmpty()) {
            throw new IllegalArgumentException("No user has at least " + minInteractions + " interactions in "
                    + from + "; lower --min-interactions.");
        }
        PrepareConfig config = new PrepareConfig(name, from.toString(), format, imagesOnly, minInteractions, history,
                strategy, seed, lenient, PrepareConfig.DEFAULT_EVAL_NEGATIVES, PrepareConfig.DEFAULT_TRAIN_NEGATIVES);
        WorkDir w = WorkDir.of(workDir);
        PrepareSummary summary = DataPreparation.prepare(dataset, config, w);
        if (exportReference != null) {
            ReferenceFormat.export(exportReference, dataset.catalog(), dataset.sequences());
        }
        print(summary, w, CommandSupport.since(start));
        return 0;
    }

    private static void print(PrepareSummary s, WorkDir w, double seconds) {
        PrintStream out = System.out;
        DataStats d = s.data();
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("dataset", s.dataset() + " (" + s.config().format() + ", " + s.config().source() + ")");
        pairs.put("items read", Long.toString(d.itemsRead()));
        pairs.put("interactions read", Long.toString(d.interactionsRead()));
        if (s.config().imagesOnly()) {
            pairs.put("items with image", Long.toString(d.itemsWithImage()));
            pairs.put("interactions w/o image", Long.toString(d.interactionsWithoutImage()));
        }
        pairs.put("users < " + s.config().minInteractions() + " interactions", Long.toString(d.usersBelowMinInteractions()));
        pairs.put("users", Long.toString(s.users()));
        pairs.put("items", Long.toString(s.items()));
        pairs.put("interactions", Long.toString(s.interactions()));
        if (s.skipped().isEmpty()) {
            pairs.put("skipped", s.config().lenient() ? "0" : "0 (strict)");
        } else {
            s.skipped().forEach((k, v) -> pairs.put("skipped " + k, Long.toString(v)));
            d.dropped().forEach((file, c) -> pairs.put("dropped from " + file, c.get("records") + " records on "
                    + c.get("lines") + " lines"));
        }
        d.normalised().forEach((k, v) -> pairs.put("normalised " + k, v + " values (line breaks, item tokens,"
                + " special tokens or length)"));
        pairs.put("sampler / seed", s.config().sampler().id() + " / " + s.seed());
        CommandSupport.printPairs(out, pairs);
        out.println();
        List<List<String>> rows = new ArrayList<>();
        for (PrepareSummary.SampleSet set : s.sampleSets()) {
            rows.add(List.of(set.split(), Integer.toString(set.negatives()), Integer.toString(set.samples()),
                    set.reused() ? "reused" : "written", "samples/" + set.key()));
        }
        CommandSupport.printTable(out, List.of("split", "negatives", "samples", "cache", "folder"), rows);
        out.println();
        out.println("wrote " + w.root() + " in " + CommandSupport.seconds(seconds) + " (summary: "
                + w.summary(DataPreparation.COMMAND) + ")");
        out.flush();
    }
}
