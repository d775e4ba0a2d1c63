package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.http.OpenAiChatClient;
import dev.mllmrec.core.textualize.BuiltinTextualizer;
import dev.mllmrec.core.textualize.CaptionStore;
import dev.mllmrec.core.textualize.OpenAiVisionTextualizer;
import dev.mllmrec.core.textualize.Textualization;
import dev.mllmrec.core.textualize.TextualizationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code textualize}: turns every item image into a cached caption (the paper's offline visual textualization) and
 * writes {@code W/captions.jsonl}, {@code W/textualize/summary.json} and {@code W/textualize/failures.jsonl}.
 */
@Command(name = "textualize", mixinStandardHelpOptions = true,
        description = {"Captions every item image once and caches the captions in W/captions.jsonl.",
            "Items come from W/catalog.jsonl (written by prepare), or from --movielens DIR."})
public final class TextualizeCommand implements Callable<Integer> {

    /** The textualizer back ends. */
    enum Kind { builtin, openai }

    @Option(names = "--work-dir", required = true, description = "The work directory W.")
    Path workDir;

    @Option(names = "--images", description = "Look images up as <DIR>/<item id>.* instead of the catalog's paths.")
    Path images;

    @Option(names = "--movielens", description = "Build the items from DIR/ml-latest-small/movies.csv and "
            + "DIR/posters/ instead of W/catalog.jsonl (only movies with a poster).")
    Path movielens;

    @Option(names = "--textualizer", defaultValue = "builtin",
            description = "builtin (no model, the default) or openai (an OpenAI-compatible vision model server).")
    Kind kind;

    @Option(names = "--base-url", description = "openai: the server, for example http://localhost:8000.")
    String baseUrl;

    @Option(names = "--model", description = "openai: the vision-language model name.")
    String model;

    @Option(names = "--api-key-env", defaultValue = "OPENAI_API_KEY",
            description = "openai: the NAME of the environment variable holding the API key (default ${DEFAULT-VALUE}).")
    String apiKeyEnv;

    @Option(names = "--request-timeout", defaultValue = "120",
            description = "openai: seconds allowed per request attempt (default ${DEFAULT-VALUE}).")
    int requestTimeoutSeconds;

    @Option(names = "--concurrency", description = "Parallel workers (default: the number of cores for builtin, 4 "
            + "for openai).")
    Integer concurrency;

    @Option(names = "--limit", description = "Only the first N items (in id order).")
    Integer limit;

    @Option(names = "--export-json", description = "Also write the captions in the reference captions.json format.")
    Path exportJson;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Option(names = "--max-failed-fraction", defaultValue = "1.0",
            description = "Exit with status 1 when more than this fraction of the items with an image failed "
                    + "(default ${DEFAULT-VALUE}: only when every item failed, which always fails the command).")
    double maxFailedFraction;

    @Override
    public Integer call() {
        if (!(maxFailedFraction >= 0 && maxFailedFraction <= 1)) {
            throw new IllegalArgumentException("--max-failed-fraction must be between 0 and 1, got "
                    + maxFailedFraction + ".");
        }
        WorkDir w = WorkDir.of(workDir);
        List<Item> all = loadItems(w);
        if (images != null) {
            all = withImagesFrom(all, images);
        }
        if (limit != null) {
            if (limit < 0) {
                throw new IllegalArgumentException("--limit must be at least 0, got " + limit + ".");
            }
            all = all.subList(0, Math.min(limit, all.size()));
        }
        List<Item> items = new ArrayList<>();
        for (Item item : all) {
            if (item.hasImage()) {
                items.add(item);
            }
        }
        int withoutImage = all.size() - items.size();
        VisualTextualizer textualizer = textualizer();
        int threads = concurrency != null ? concurrency
                : kind == Kind.openai ? 4 : Runtime.getRuntime().availableProcessors();
        Path failures = w.commandDir("textualize").resolve("failures.jsonl");
        TextualizationReport report;
        int stored;
        try (CaptionStore store = CaptionStore.open(w.captions(), textualizer.id(), textualizer.version())) {
            report = Textualization.builder()
                    .setTextualizer(textualizer)
                    .setStore(store)
                    .optThreads(threads)
                    .optFailuresFile(failures)
                    .optProgress(!noProgress)
                    .build()
                    .run(items);
            stored = store.size();
            if (exportJson != null) {
                Map<Integer, String> titles = new HashMap<>();
                all.forEach(i -> titles.put(i.id(), i.title()));
                store.exportReference(exportJson, id -> titles.getOrDefault(id, ""));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("items", report.items());
        summary.put("captioned", report.captioned());
        summary.put("failed", report.failed());
        summary.put("cached", report.cached());
        summary.put("distinct_fraction", round(report.distinctFraction(), 4));
        summary.put("mean_words", round(report.meanWords(), 2));
        summary.put("seconds", round(report.seconds(), 3));
        summary.put("items_per_second", round(report.itemsPerSecond(), 1));
        summary.put("max_words", report.maxWords());
        summary.put("title_leaks", report.titleLeaks());
        summary.put("without_image", withoutImage);
        summary.put("textualizer", textualizer.id());
        summary.put("textualizer_version", textualizer.version());
        summary.put("threads", threads);
        summary.put("captions_file", w.captions().toString());
        summary.put("captions_stored", stored);
        summary.put("failures_file", failures.toString());
        summary.put("source", movielens != null ? "movielens:" + movielens.toAbsolutePath().normalize()
                : w.catalog().toString());
        Json.writePretty(w.summary("textualize"), summary);
        System.out.printf(Locale.ROOT, "textualize: %d items, %d captioned, %d cached, %d failed in %.1f s "
                        + "(%.1f items/s); distinct %.4f, mean %.1f words; summary %s%n", report.items(),
                report.captioned(), report.cached(), report.failed(), report.seconds(), report.itemsPerSecond(),
                report.distinctFraction(), report.meanWords(), w.summary("textualize"));
        if (items.isEmpty()) {
            System.err.println("textualize: none of the " + all.size() + " catalog items has an image, so there is "
                    + "nothing to caption (text-only data): the policy reads titles and attributes only, and "
                    + "caption variants are skipped.");
        }
        if (report.failed() > 0) {
            System.err.printf(Locale.ROOT, "textualize: %d failures, first: %s (all in %s)%n", report.failed(),
                    report.failures().get(0).reason(), failures);
        }
        return exitStatus(report.failed(), report.items(), maxFailedFraction);
    }

    /**
     * 1 when {@code failed} of {@code attempted} items (those with an image, cached ones included) is a failed
     * run (every item, or more than {@code maxFailedFraction} of them), else 0; prints why on standard error.
     */
    static int exitStatus(int failed, int attempted, double maxFailedFraction) {
        if (failed == 0 || attempted == 0) {
            return 0;
        }
        if (failed == attempted) {
            System.err.printf(Locale.ROOT, "error: textualize: all %d items failed; no item has a caption.%n", attempted);
            return 1;
        }
        if ((double) failed / attempted > maxFailedFraction) {
            System.err.printf(Locale.ROOT, "error: textualize: %d of %d items failed (%.1f%%), more than "
                    + "--max-failed-fraction %s.%n", failed, attempted, 100.0 * failed / attempted, maxFailedFraction);
            return 1;
        }
        return 0;
    }

    private VisualTextualizer textualizer() {
        if (kind == Kind.builtin) {
            return new BuiltinTextualizer();
        }
        if (baseUrl == null || model == null) {
            throw new IllegalArgumentException("--textualizer openai needs --base-url and --model.");
        }
        OpenAiChatClient client = OpenAiChatClient.builder()
                .setBaseUrl(baseUrl)
                .setModel(model)
                .optApiKeyEnv(apiKeyEnv)
                .optRequestTimeout(Duration.ofSeconds(requestTimeoutSeconds))
                .optMaxConcurrency(concurrency != null ? concurrency : 4)
                .build();
        return new OpenAiVisionTextualizer(client);
    }

    private List<Item> loadItems(WorkDir w) {
        if (movielens != null) {
            return MovieLensPosters.read(movielens);
        }
        if (!Files.exists(w.catalog())) {
            throw new IllegalArgumentException("No catalog at " + w.catalog() + ": run prepare first, or pass "
                    + "--movielens DIR to read movies.csv and posters/ directly.");
        }
        List<Item> items = new ArrayList<>(JsonLines.read(w.catalog(), Item.class));
        items.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return items;
    }

    /** Replaces each item's image by {@code <dir>/<id>.*} (the first such file by name), or none. */
    static List<Item> withImagesFrom(List<Item> items, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--images " + dir + " is not a directory.");
        }
        Map<Integer, Path> byId = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(p -> {
                String name = p.getFileName().toString();
                int dot = name.indexOf('.');
                String stem = dot < 0 ? name : name.substring(0, dot);
                if (!stem.isEmpty() && stem.chars().allMatch(Character::isDigit) && stem.length() < 10) {
                    byId.putIfAbsent(Integer.parseInt(stem), p.toAbsolutePath().normalize());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<Item> out = new ArrayList<>(items.size());
        for (Item i : items) {
            Path p = byId.get(i.id());
            out.add(new Item(i.id(), i.title(), i.genres(), i.attributes(), p == null ? null : p.toString()));
        }
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /**
     * A stop-gap reader for MovieLens {@code movies.csv} plus {@code posters/<id>.jpg}, used until the data
     * pipeline's catalog is available: only movies with a poster become items.
     */
    static final class MovieLensPosters {

        private MovieLensPosters() {
        }

        static List<Item> read(Path dir) {
            Path csv = dir.resolve("ml-latest-small").resolve("movies.csv");
            if (!Files.exists(csv)) {
                csv = dir.resolve("movies.csv");
            }
            Path posters = dir.resolve("posters");
            if (!Files.isRegularFile(csv) || !Files.isDirectory(posters)) {
                throw new IllegalArgumentException("--movielens " + dir + " must hold ml-latest-small/movies.csv "
                        + "and posters/.");
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + csv + ": " + e.getMessage(), e);
            }
            List<Item> items = new ArrayList<>();
            for (int n = 1; n < lines.size(); n++) {
                String line = lines.get(n);
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = csvFields(line);
                if (f.size() < 3) {
                    throw new IllegalArgumentException(csv + " line " + (n + 1) + " has " + f.size()
                            + " fields, expected movieId,title,genres: " + line);
                }
                int id;
                try {
                    id = Integer.parseInt(f.get(0).strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(csv + " line " + (n + 1) + " has the movieId '" + f.get(0)
                            + "', which is not a number.", e);
                }
                Path poster = posters.resolve(id + ".jpg");
                if (Files.isRegularFile(poster)) {
                    List<String> genres = "(no genres listed)".equals(f.get(2)) ? List.of()
                            : Arrays.asList(f.get(2).split("\\|"));
                    items.add(new Item(id, f.get(1), genres, Map.of(), poster.toAbsolutePath().normalize()
                            .toString()));
                }
            }
            return items;
        }

        /** Splits one CSV line: fields may be quoted, with {@code ""} for a quote inside. */
        static List<String> csvFields(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cur.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    out.add(cur.toString());
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
            out.add(cur.toString());
            return out;
        }
    }
}
