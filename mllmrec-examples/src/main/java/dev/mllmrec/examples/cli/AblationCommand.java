package dev.mllmrec.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.ProgressBar;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.content.ItemContent;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.eval.SampleResult;
import dev.mllmrec.core.eval.TargetBuckets;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.RankingView;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ablation}: what each part of the method adds. On one prepared data set (and one set of captions and CoT
 * files) it trains and evaluates, for each seed, the policy variants of {@link #VARIANTS} (SFT, then GRPO from that
 * SFT) and the anchors SASRec, a content-aware SASRec ({@code train-sasrec --item-features facets}: the items'
 * genres, decade and poster measurements mapped into its item embeddings) and popularity, each in its own run
 * directory under {@code W/ablation/runs/} that shares the prepared files. Every run records its metrics at 9 and
 * 99 negatives, overall and by target bucket (cold, rare, the rest), in {@code ablation-result.json}; a finished run
 * is skipped when the command is started again, so a killed ablation resumes. Writes {@code W/ablation/summary.json},
 * {@code W/ablation/table.md} (mean and standard deviation over seeds) and {@code W/ablation/chart.png}.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "ablation", mixinStandardHelpOptions = true,
        description = {"Trains and evaluates, on the same prepared samples and for each seed, the policy variants "
                + "ids (item ids only), text (+ titles and attributes), text-facets (+ the items' genre multi-hot "
                + "and decade beside the text vector: the pipeline's policy), captions (+ image captions), "
                + "shuffled-captions (a control: captions moved between items), text-facets-no-cot and "
                + "captions-no-cot (no CoT injected into the SFT or GRPO prompts), and on request captions-only, "
                + "shuffled-captions-only (the caption alone, without title and attributes: does the image's text "
                + "carry anything by itself?) and captions-facets, "
                + "shuffled-captions-facets (captions with the facets and the poster's measurements), each by SFT "
                + "and then GRPO, with SASRec, a content-aware SASRec (sasrec (content): genres, decade and poster "
                + "measurements in its item embeddings) and popularity as anchors; each policy is ranked under its "
                + "default prompt (history) and the other two ranking views (candidates, both). Records HR@1/3/5, "
                + "NDCG@3/5 and MRR at 9 negatives and HR@3/10, NDCG@10 at 99, overall and for cold (no training "
                + "interaction), rare (1-4) and the other targets. Writes "
                + "W/ablation/summary.json, W/ablation/table.md and W/ablation/chart.png; a killed run resumes.",
                "Variants that need captions are skipped on data without images."})
public final class AblationCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    DeviceOption devices;

    /** The command's name, also its directory under the work directory. */
    static final String NAME = "ablation";

    /**
     * A policy variant: its item content and whether SFT prompts get CoT injection.
     *
     * @param name      the variant's name in tables and run directories
     * @param content   the {@code --item-content} of {@code train-sft}
     * @param cot       whether the SFT and GRPO prompts carry the augmented CoT ({@code W/train_sft.jsonl},
     *                  {@code W/train_grpo.jsonl}); without it both stages train on plain prompts over the same
     *                  training windows
     * @param facets    whether the content vector gains the items' facets ({@code minilm+facets})
     * @param byDefault whether the variant runs without {@code --variants} (the others run on request)
     */
    record Variant(String name, String content, boolean cot, boolean facets, boolean byDefault) {

        /** A variant of the default set, without facets. */
        static Variant standard(String name, String content, boolean cot) {
            return new Variant(name, content, cot, false, true);
        }

        /** A variant that runs only when {@code --variants} names it. */
        static Variant onRequest(String name, String content, boolean facets) {
            return new Variant(name, content, true, facets, false);
        }

        boolean needsCaptions() {
            return content.contains("captions");
        }
    }

    /** The variants, in table order. */
    static final List<Variant> VARIANTS = List.of(
            Variant.standard("ids", "none", true),
            Variant.standard("text", "text", true),
            // The pipeline's policy (Recipe.recommended()): the text with the items' facets.
            new Variant("text-facets", "text", true, true, true),
            // The pipeline's policy without reasoning: what the injected CoT adds to it.
            new Variant("text-facets-no-cot", "text", false, true, true),
            Variant.standard("captions", "captions", true),
            Variant.standard("shuffled-captions", "shuffled-captions", true),
            Variant.standard("captions-no-cot", "captions", false),
            Variant.onRequest("captions-only", "captions-only", false),
            Variant.onRequest("shuffled-captions-only", "shuffled-captions-only", false),
            Variant.onRequest("captions-facets", "captions", true),
            Variant.onRequest("shuffled-captions-facets", "shuffled-captions", true));

    /** The metrics recorded per run: at 9 negatives, then at 99. */
    static final List<String> METRICS_9 = List.of("HR@1", "HR@3", "HR@5", "NDCG@3", "NDCG@5", "MRR");
    static final List<String> METRICS_99 = List.of("HR@3", "HR@10", "NDCG@10");

    /** Prepared files every run directory links to (what a run reads and never writes). */
    private static final List<String> SHARED = List.of("prepare", "catalog.jsonl", "sequences.jsonl", "samples",
            "captions.jsonl", "cot.jsonl", "cot_assessed.jsonl", "content");

    /** The augmented prompts, linked only into the run directories of variants with CoT injection. */
    private static final List<String> WITH_COT = List.of("train_sft.jsonl", "train_grpo.jsonl");

    @Mixin
    DataSourceOptions data;

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--seeds", paramLabel = "N",
            description = "Training seeds per variant: --first-seed and the ones after it (default 3, or 1 with "
                    + "--quick).")
    Integer seeds;

    @Option(names = "--first-seed", paramLabel = "S", defaultValue = "42",
            description = "The first training seed; the others follow it. Runs of another first seed in another work "
                    + "directory can be copied into W/ablation/runs/ and join the table. Default: ${DEFAULT-VALUE}.")
    long firstSeed;

    @Option(names = "--quick", description = "Short training (8 pre-training epochs, 1,500 prompts, 50 GRPO steps, "
            + "4 SASRec epochs) and one seed unless --seeds is given.")
    boolean quick;

    @Option(names = "--variants", paramLabel = "V", split = ",",
            description = "Only these variants (comma-separated; default: all but the -only ones and "
                    + "captions-facets, shuffled-captions-facets).")
    List<String> only;

    @Override
    public Integer call() throws IOException {
        devices.apply();
        long start = System.nanoTime();
        if (only != null) {
            for (String name : only) {
                if (VARIANTS.stream().noneMatch(v -> v.name().equals(name))) {
                    throw new IllegalArgumentException("Unknown variant '" + name + "' in --variants; known: "
                            + String.join(", ", VARIANTS.stream().map(Variant::name).toList()) + ".");
                }
            }
        }
        WorkDir w = WorkDir.of(workDir);
        int seedCount = seeds != null ? seeds : quick ? 1 : 3;
        if (seedCount < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1, got " + seedCount + ".");
        }
        String wd = w.root().toString();
        // The shared stages: the same samples, captions and CoT files for every variant and seed.
        List<String[]> shared = data.offlineStages(wd, "42", quick);
        for (String[] stage : shared) {
            run(stage);
        }
        PreparedData prepared = PreparedData.load(w);
        boolean hasCaptions = !ItemContent.captions(w).isEmpty();
        Map<Integer, Integer> trainingCounts = TargetBuckets.trainingCounts(prepared.sequences());

        List<Variant> variants = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Variant v : VARIANTS) {
            if (only != null ? !only.contains(v.name()) : !v.byDefault()) {
                continue;
            }
            if (v.needsCaptions() && !hasCaptions) {
                skipped.add(v.name());
                continue;
            }
            variants.add(v);
        }
        if (!skipped.isEmpty()) {
            System.err.println("ablation: no item has a caption (text-only data, or no images), so the variants "
                    + String.join(", ", skipped) + " are skipped.");
        }
        Path root = w.commandDir(NAME);
        List<Map<String, Object>> results = new ArrayList<>();
        int total = seedCount * (variants.size() + 1);
        try (ProgressBar bar = new ProgressBar("ablation", total, "runs")) {
            for (int s = 0; s < seedCount; s++) {
                long seed = firstSeed + s;
                results.addAll(anchors(w, root, seed, trainingCounts));
                bar.step();
                for (Variant v : variants) {
                    results.addAll(variant(w, root, v, seed, trainingCounts));
                    bar.step();
                }
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("dataset", prepared.catalog().name());
        summary.put("seeds", seedCount);
        summary.put("quick", quick);
        summary.put("variants", variants.stream().map(Variant::name).toList());
        summary.put("skipped", skipped);
        summary.put("runs", results);
        Map<String, Map<String, double[]>> table = aggregate(results);
        summary.put("table", table);
        summary.put("seconds", CommandSupport.since(start));
        Json.writePretty(root.resolve("summary.json"), summary);
        String markdown = markdown(table, seedCount);
        Files.writeString(root.resolve("table.md"), markdown);
        writeChart(root.resolve("chart.png"), table);
        System.out.println();
        System.out.print(markdown);
        System.out.println("ablation finished in " + CommandSupport.seconds(CommandSupport.since(start))
                + " (summary: " + root.resolve("summary.json") + ")");
        return 0;
    }

    /** Runs one command in this process; a failure stops the ablation with its exit code. */
    private static void run(String... args) {
        System.out.println();
        System.out.println("== " + String.join(" ", args));
        int rc = Main.run(args);
        if (rc != 0) {
            throw new IllegalStateException("ablation stage '" + String.join(" ", args) + "' failed with exit code "
                    + rc + "; fix it and rerun: finished runs are reused.");
        }
    }

    /** The label of the content-aware SASRec's rows. */
    static final String CONTENT_SASREC = "sasrec (content)";

    /**
     * SASRec and popularity for one seed, and the content-aware SASRec in a run directory of its own (so that the
     * plain anchors' finished runs stay valid): the items' {@code ItemFacets} (genres and decade, and the posters'
     * measurements where the catalog has images) mapped into its item embeddings.
     */
    private List<Map<String, Object>> anchors(WorkDir w, Path root, long seed, Map<Integer, Integer> counts)
            throws IOException {
        List<Map<String, Object>> out = new ArrayList<>(anchorRun(w, root, "anchors", List.of(),
                List.of(Map.entry("sasrec", "sasrec"), Map.entry("popularity", "popularity")), seed, counts));
        out.addAll(anchorRun(w, root, "anchors-content", List.of("--item-features", "facets"),
                List.of(Map.entry(TrainSasrecCommand.CONTENT_MODEL, CONTENT_SASREC)), seed, counts));
        return out;
    }

    /**
     * One anchor run for one seed, in the run directory {@code name-seedS}: {@code train-sasrec} with
     * {@code trainArgs}, then each model of {@code labels} evaluated under its label. A finished run is read back.
     */
    private List<Map<String, Object>> anchorRun(WorkDir w, Path root, String name, List<String> trainArgs,
                                                List<Map.Entry<String, String>> labels, long seed,
                                                Map<Integer, Integer> counts) throws IOException {
        WorkDir r = runDir(w, root, name + "-seed" + seed, false);
        Path done = r.root().resolve("ablation-result.json");
        if (!Files.isRegularFile(done)) {
            run(TrainSasrecCommand.commandLine(r.root().toString(), seed, quick, trainArgs));
            List<Map<String, Object>> out = new ArrayList<>();
            for (Map.Entry<String, String> e : labels) {
                out.add(evaluate(r, e.getKey(), e.getValue(), seed, counts));
            }
            Json.writePretty(done, out);
        }
        return readRuns(done);
    }

    /** One variant for one seed: SFT, then GRPO from it. */
    private List<Map<String, Object>> variant(WorkDir w, Path root, Variant v, long seed,
                                              Map<Integer, Integer> counts) throws IOException {
        WorkDir r = runDir(w, root, v.name() + "-seed" + seed, v.cot());
        Path done = r.root().resolve("ablation-result.json");
        if (!Files.isRegularFile(done)) {
            String rd = r.root().toString();
            String s = Long.toString(seed);
            List<String> sft = new ArrayList<>(List.of("train-sft", "--work-dir", rd, "--seed", s,
                    "--item-content", v.content(), "--content-encoder",
                    ItemContent.contentEncoder(quick ? "tfidf" : "minilm", v.facets())));
            if (quick) {
                sft.addAll(List.of("--sequence-epochs", "8", "--epochs", "1", "--max-train", "1500"));
            }
            run(sft.toArray(String[]::new));
            run(quick ? new String[] {"train-grpo", "--work-dir", rd, "--seed", s, "--steps", "50"}
                    : new String[] {"train-grpo", "--work-dir", rd, "--seed", s});
            List<Map<String, Object>> out = new ArrayList<>();
            out.add(evaluate(r, "sft", v.name() + "/sft", seed, counts));
            out.add(evaluate(r, "grpo", v.name() + "/grpo", seed, counts));
            // The ranking-view ablation: each policy also under the views it does not rank with by default.
            RankingView standard = RankingView.defaultFor(PromptBuilder.Style.COMPACT, AnswerScope.ITEM_TOKEN);
            for (RankingView view : RankingView.values()) {
                if (view != standard) {
                    for (String model : List.of("sft", "grpo")) {
                        out.add(evaluate(r, model, v.name() + "/" + model + " (" + view.id() + " prompt"
                                + (view == RankingView.BOTH ? "s" : "") + ")", seed, counts, view.id()));
                    }
                }
            }
            Json.writePretty(done, out);
        }
        return readRuns(done);
    }

    /** A run directory whose prepared inputs are links to the shared work directory's. */
    static WorkDir runDir(WorkDir w, Path root, String name, boolean cot) throws IOException {
        Path dir = root.resolve("runs").resolve(name);
        Files.createDirectories(dir);
        List<String> links = new ArrayList<>(SHARED);
        if (cot) {
            links.addAll(WITH_COT);
        } else {
            // Earlier releases linked the GRPO prompts into every run: an unfinished no-CoT run of theirs
            // would still train GRPO with CoT. Only links are removed, never a file.
            for (String f : WITH_COT) {
                Path link = dir.resolve(f);
                if (Files.isSymbolicLink(link)) {
                    Files.delete(link);
                }
            }
        }
        Files.createDirectories(w.root().resolve("content"));
        for (String f : links) {
            Path target = w.root().resolve(f);
            Path link = dir.resolve(f);
            if (Files.exists(target) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, target);
            }
        }
        return WorkDir.of(dir);
    }

    /** Evaluates {@code model} in run {@code r} at 9 and 99 negatives, overall and by target bucket. */
    private static Map<String, Object> evaluate(WorkDir r, String model, String label, long seed,
                                                Map<Integer, Integer> counts) {
        return evaluate(r, model, label, seed, counts, null);
    }

    /**
     * {@link #evaluate(WorkDir, String, String, long, Map)} with the policy ranking under {@code view}
     * ({@code null}: its default).
     */
    private static Map<String, Object> evaluate(WorkDir r, String model, String label, long seed,
                                                Map<Integer, Integer> counts, String view) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", label);
        out.put("seed", seed);
        String name = view == null ? model : model + "-" + view; // the evaluate report's name
        for (String m : List.of("9", "99")) {
            List<String> args = new ArrayList<>(List.of("evaluate", "--work-dir", r.root().toString(), "--model",
                    model, "--negatives", m, "--seed", Long.toString(seed)));
            if (view != null) {
                args.addAll(List.of("--ranking-view", view));
            }
            run(args.toArray(String[]::new));
            JsonNode report = Json.read(r.eval().resolve(name + "-neg" + m + "-test.json"), JsonNode.class);
            Map<String, Double> metrics = new LinkedHashMap<>();
            report.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
            out.put("neg" + m, metrics);
            List<SampleResult> users = JsonLines.read(r.eval().resolve(name + "-neg" + m + "-test-users.jsonl"),
                    SampleResult.class);
            out.put("neg" + m + "_buckets", TargetBuckets.metrics(users, counts));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> readRuns(Path done) {
        return Json.read(done, List.class);
    }

    /** The table's columns: key in a run record's metrics, and header. */
    static List<String[]> columns() {
        List<String[]> cols = new ArrayList<>();
        METRICS_9.forEach(k -> cols.add(new String[] {"neg9", k, k}));
        METRICS_99.forEach(k -> cols.add(new String[] {"neg99", k, k + "/99"}));
        for (String b : TargetBuckets.NAMES) {
            cols.add(new String[] {"neg9_buckets." + b, "HR@3", b + " HR@3"});
            cols.add(new String[] {"neg99_buckets." + b, "HR@10", b + " HR@10/99"});
        }
        return cols;
    }

    /** For each model label and column header: {mean, standard deviation, count} over seeds. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, double[]>> aggregate(List<Map<String, Object>> runs) {
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        for (Map<String, Object> run : runs) {
            String model = (String) run.get("model");
            for (String[] col : columns()) {
                String[] path = col[0].split("\\.");
                Object node = run.get(path[0]);
                if (path.length > 1 && node instanceof Map<?, ?> buckets) {
                    node = buckets.get(path[1]);
                }
                if (node instanceof Map<?, ?> metrics && metrics.get(col[1]) instanceof Number n) {
                    values.computeIfAbsent(model, k -> new LinkedHashMap<>())
                            .computeIfAbsent(col[2], k -> new ArrayList<>()).add(n.doubleValue());
                }
            }
        }
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        values.forEach((model, cols) -> {
            Map<String, double[]> row = new LinkedHashMap<>();
            cols.forEach((col, xs) -> {
                double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                double var = xs.size() < 2 ? 0 : xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum()
                        / (xs.size() - 1);
                row.put(col, new double[] {mean, Math.sqrt(var), xs.size()});
            });
            out.put(model, row);
        });
        return out;
    }

    /** The table as Markdown: one row per model, {@code mean ± sd} per column. */
    static String markdown(Map<String, Map<String, double[]>> table, int seeds) {
        List<String> headers = columns().stream().map(c -> c[2]).toList();
        StringBuilder sb = new StringBuilder();
        sb.append("Test split; mean ± standard deviation over ").append(seeds).append(seeds == 1 ? " seed" : " seeds")
                .append(". 9 negatives unless marked /99; cold = target never in training, rare = 1-4 times.\n\n");
        sb.append("| model | ").append(String.join(" | ", headers)).append(" |\n");
        sb.append("|---|").append("---|".repeat(headers.size())).append('\n');
        table.forEach((model, row) -> {
            sb.append("| ").append(model);
            for (String h : headers) {
                double[] v = row.get(h);
                sb.append(" | ").append(v == null ? "-" : seeds == 1
                        ? String.format(Locale.ROOT, "%.4f", v[0])
                        : String.format(Locale.ROOT, "%.4f ± %.4f", v[0], v[1]));
            }
            sb.append(" |\n");
        });
        return sb.toString();
    }

    /** A grouped bar chart of HR@3 and NDCG@3 at 9 negatives and HR@10 at 99, with one-sd whiskers. */
    static void writeChart(Path file, Map<String, Map<String, double[]>> table) {
        List<String> metrics = List.of("HR@3", "NDCG@3", "HR@10/99");
        Color[] colors = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868)};
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int n = table.size();
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        // The labels are drawn at 35 degrees below the axis: room for the longest one below and to the right.
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int longest = 0;
        try {
            FontMetrics fm = probe.getFontMetrics(font);
            for (String label : table.keySet()) {
                longest = Math.max(longest, fm.stringWidth(label));
            }
        } finally {
            probe.dispose();
        }
        double angle = Math.toRadians(35);
        int left = 60;
        int top = 40;
        int bottom = top + 270;
        int width = Math.max(640, 90 * n + 80 + (int) Math.ceil(longest * Math.cos(angle)));
        int height = bottom + 30 + (int) Math.ceil(longest * Math.sin(angle));
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(font);
            g.drawString("Ablation (test split): HR@3, NDCG@3 at 9 negatives, HR@10 at 99; whiskers: 1 sd", left, 20);
            g.drawLine(left, top, left, bottom);
            int right = left + 10 + n * 90;
            g.drawLine(left, bottom, right, bottom);
            for (int t = 0; t <= 10; t += 2) {
                int y = bottom - (bottom - top) * t / 10;
                g.drawString(String.format(Locale.ROOT, "%.1f", t / 10.0), 25, y + 4);
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(left + 1, y, right, y);
                g.setColor(Color.BLACK);
            }
            int group = 90;
            int bar = Math.max(6, (group - 16) / metrics.size());
            int i = 0;
            for (Map.Entry<String, Map<String, double[]>> e : table.entrySet()) {
                int x0 = left + 10 + i * group;
                for (int k = 0; k < metrics.size(); k++) {
                    double[] v = e.getValue().get(metrics.get(k));
                    if (v == null) {
                        continue;
                    }
                    int h = (int) Math.round((bottom - top) * Math.max(0, Math.min(1, v[0])));
                    int x = x0 + k * bar;
                    g.setColor(colors[k]);
                    g.fillRect(x, bottom - h, bar - 2, h);
                    g.setColor(Color.BLACK);
                    int sd = (int) Math.round((bottom - top) * v[1]);
                    int cx = x + (bar - 2) / 2;
                    g.drawLine(cx, bottom - h - sd, cx, bottom - h + sd);
                }
                g.rotate(angle, x0, bottom + 14);
                g.drawString(e.getKey(), x0, bottom + 14);
                g.rotate(-angle, x0, bottom + 14);
                i++;
            }
            // The legend in the title row, clear of the bars.
            int lx = Math.max(left + 560, width - 110 * metrics.size() - 10);
            for (int k = 0; k < metrics.size(); k++) {
                g.setColor(colors[k]);
                g.fillRect(lx + 110 * k, 10, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(metrics.get(k), lx + 110 * k + 18, 21);
            }
        } finally {
            g.dispose();
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(img, "png", bytes);
            dev.mllmrec.core.AtomicFiles.write(file, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
