package dev.mllmrec.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.content.ItemContentSource;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.eval.SampleResult;
import dev.mllmrec.core.eval.TargetBuckets;
import dev.mllmrec.recipe.Recipe;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pipeline}: every stage in order with the built-in defaults, ending with one comparison table. Each stage
 * is the command of the same name, so a killed pipeline restarts where it stopped (every stage skips or resumes
 * what its outputs already hold).
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Runs prepare, textualize, build-cot, assess, augment (sft and grpo), train-sasrec (ids, "
                + "and the content-aware one with --item-features facets), train-sft, train-grpo and evaluate with "
                + "the built-in defaults (no server, no download), and ends with one table comparing random, "
                + "popularity, markov, SASRec, the content-aware SASRec, SFT and GRPO on the test split at 9 and 99 "
                + "negatives. Writes W/pipeline/summary.json.",
                "--quick trains on a subset for a run of about five minutes. --reference runs the same stages on a "
                        + "text-only dataset (no images: textualization has nothing to caption and says so).",
                "--base-model DIR makes a pretrained Hugging Face decoder, fine-tuned with LoRA, the policy."})
public final class PipelineCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    DeviceOption devices;

    /**
     * The policy's item content unless {@code --item-content} says otherwise: text, the ablation's best variant
     * (over two seeds it matched captions and shuffled captions and beat ids at 9 negatives; see README).
     */
    static final String DEFAULT_CONTENT = "text";

    /** The models of the final table, in order. */
    static final List<String> MODELS = List.of("random", "popularity", "markov", "sasrec",
            RecommenderFactory.SASREC_CONTENT, "sft", "grpo");

    @Mixin
    DataSourceOptions data;

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--quick", description = "A small run (subset of training prompts, few steps): about five "
            + "minutes on 2 cores.")
    boolean quick;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--item-content", paramLabel = "SOURCE", defaultValue = DEFAULT_CONTENT,
            description = "The policy's item content (see train-sft --item-content); on text-only data a caption "
                    + "source falls back to text. Default: ${DEFAULT-VALUE}.")
    String itemContent;

    @Option(names = "--base-model", paramLabel = "DIR",
            description = "Fine-tune a pretrained Hugging Face decoder (config.json, safetensors, tokenizer.json) "
                    + "with LoRA as the policy instead of training the built-in one: train-sft --base-model DIR on "
                    + "reference-style prompts, then train-grpo with free generation (the reference protocol); "
                    + "sft and grpo are evaluated on that base with their adapters. --item-content does not apply. "
                    + "Meant for a GPU server or many cores: every answer is scored over the model's vocabulary.")
    Path baseModel;

    @Option(names = "--lora-rank", paramLabel = "R", defaultValue = "16",
            description = "With --base-model: the adapters' rank. Default: ${DEFAULT-VALUE}.")
    int loraRank;

    @Option(names = "--lora-alpha", paramLabel = "A", defaultValue = "32",
            description = "With --base-model: the adapters' alpha. Default: ${DEFAULT-VALUE}.")
    double loraAlpha;

    @Option(names = "--lora-targets", paramLabel = "LIST", defaultValue = "q,k,v,o",
            description = "With --base-model: the projections that get adapters. Default: ${DEFAULT-VALUE}.")
    String loraTargets;

    @Option(names = "--parallel-sasrec", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Train both SASRec models in child JVMs on the second core, one after the other right after "
                    + "prepare, while the other stages run on the first (each uses one libtorch thread; the logs go "
                    + "to W/train-sasrec/pipeline.log and W/train-sasrec-content/pipeline.log). Only where the JVM "
                    + "sees 2 or more processors. "
                    + "Default: ${DEFAULT-VALUE}.")
    boolean parallelSasrec;

    @Option(names = "--chat-template", paramLabel = "auto|none", defaultValue = ChatTemplateOption.AUTO,
            description = "With --base-model: auto wraps prompts in the base's chat template, none uses plain "
                    + "prompts (see train-sft --chat-template). Default: ${DEFAULT-VALUE}.")
    String chatTemplate;

    /**
     * The policy stages for a pretrained base: LoRA SFT (one epoch; {@code --quick}: 500 prompts) and GRPO with
     * free generation (a pretrained tokenizer has no token per item to constrain to; {@code --quick}: 8 steps).
     */
    List<String[]> pretrainedStages(String wd) {
        String s = Long.toString(seed);
        List<String> sft = new ArrayList<>(List.of("train-sft", "--work-dir", wd, "--seed", s, "--base-model",
                baseModel.toString(), "--lora-rank", Integer.toString(loraRank), "--lora-alpha",
                Double.toString(loraAlpha), "--lora-targets", loraTargets, "--epochs", "1", "--chat-template",
                chatTemplate));
        List<String> grpo = new ArrayList<>(List.of("train-grpo", "--work-dir", wd, "--seed", s,
                "--max-completion-tokens", "32"));
        if (quick) {
            sft.addAll(List.of("--max-train", "500"));
            grpo.addAll(List.of("--steps", "8"));
        }
        return List.of(sft.toArray(String[]::new), grpo.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        devices.apply();
        long start = System.nanoTime();
        WorkDir w = WorkDir.of(workDir);
        String wd = w.root().toString();
        String s = Long.toString(seed);
        String content = itemContent;
        if (content.contains("captions") && data.textOnly()) {
            System.err.println("pipeline: text-only data has no captions; the policy reads item content 'text'.");
            content = "text";
        }
        Recipe recipe = recipe(quick, seed, content);
        List<String[]> stages = new ArrayList<>();
        stages.addAll(data.offlineStages(wd, recipe));
        stages.add(TrainSasrecCommand.commandLine(wd, seed, quick, List.of()));
        stages.add(TrainSasrecCommand.commandLine(wd, seed, quick, List.of("--item-features", "facets")));
        if (baseModel != null) {
            stages.addAll(pretrainedStages(wd));
        } else {
            stages.add(RecipeArgs.trainSft(recipe, wd));
            stages.add(RecipeArgs.trainGrpo(recipe, wd));
        }
        for (String model : MODELS) {
            for (String m : List.of("9", "99")) {
                stages.add(args("evaluate", "--work-dir", wd, "--model", model, "--negatives", m, "--seed", s));
            }
        }

        // Every training and evaluation stage gets --device, SASRec's child JVM included.
        stages = new ArrayList<>(stages.stream().map(devices::forward).toList());
        boolean background = parallelSasrec && Runtime.getRuntime().availableProcessors() >= 2;
        if (background) {
            stages = sasrecAfterPrepare(stages);
        }
        Map<String, CommandLine> known = new CommandLine(new Main()).getSubcommands();
        List<Map<String, Object>> ran = new ArrayList<>();
        BackgroundChain sasrec = null;
        List<Map<String, Object>> sasrecEntries = new ArrayList<>();
        java.util.Set<String[]> chained = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        boolean triedChain = false;
        try {
            for (String[] stage : stages) {
                String name = stage[0];
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("stage", String.join(" ", stage));
                if (!known.containsKey(name)) {
                    entry.put("status", "not available in this build");
                    ran.add(entry);
                    continue;
                }
                if (sasrec != null && name.equals("evaluate")) {
                    int rc = finish(sasrec, sasrecEntries);
                    sasrec = null;
                    if (rc != 0) {
                        writeSummary(w, ran, start);
                        return rc;
                    }
                }
                if (chained.contains(stage)) {
                    continue; // runs in the background chain started at the first SASRec stage
                }
                if (background && name.equals("train-sasrec") && !triedChain) {
                    triedChain = true; // where no child JVM starts, every SASRec stage runs here in its turn
                    List<String[]> chain = stages.stream().filter(a -> a[0].equals("train-sasrec")).toList();
                    java.util.Optional<BackgroundChain> started = BackgroundChain.start(chain, a -> log(w, a));
                    if (started.isPresent()) {
                        sasrec = started.get();
                        chained.addAll(chain);
                        for (String[] a : chain) {
                            Map<String, Object> e = a == stage ? entry : new LinkedHashMap<>();
                            e.put("stage", String.join(" ", a));
                            e.put("background", true);
                            e.put("log", log(w, a).toString());
                            e.put("status", "running");
                            ran.add(e);
                            sasrecEntries.add(e);
                        }
                        System.out.println();
                        System.out.println("== " + chain.stream().map(a -> String.join(" ", a))
                                .collect(java.util.stream.Collectors.joining(", then "))
                                + "  (in child JVMs on the second core; logs " + chain.stream()
                                .map(a -> log(w, a).toString()).collect(java.util.stream.Collectors.joining(", "))
                                + ")");
                        continue;
                    }
                }
                if (name.equals("evaluate") && (RecommenderFactory.SASRECS.contains(stage[4])
                        || RecommenderFactory.POLICIES.contains(stage[4]))
                        && !Files.isDirectory(w.checkpoints(stage[4]))) {
                    entry.put("status", "skipped: no checkpoint in " + w.checkpoints(stage[4]));
                    ran.add(entry);
                    continue;
                }
                int rc = runHere(stage, entry);
                ran.add(entry);
                if (rc != 0) {
                    writeSummary(w, ran, start);
                    return rc;
                }
            }
            if (sasrec != null) {
                int rc = finish(sasrec, sasrecEntries);
                sasrec = null;
                if (rc != 0) {
                    writeSummary(w, ran, start);
                    return rc;
                }
            }
        } finally {
            if (sasrec != null) {
                sasrec.close(); // the pipeline failed or was stopped: stop the children cleanly too
            }
        }
        Map<String, Object> summary = writeSummary(w, ran, start);
        System.out.println();
        printTable(System.out, w);
        System.out.println("pipeline finished in " + CommandSupport.seconds((double) summary.get("seconds"))
                + " (summary: " + w.summary("pipeline") + ")");
        return 0;
    }

    /**
     * The recipe the pipeline trains the policy with: the library's {@link Recipe#recommended(long)} (or
     * {@link Recipe#quick(long)}) with item content {@code content}; its stages get every setting from it.
     */
    static Recipe recipe(boolean quick, long seed, String content) {
        Recipe base = quick ? Recipe.quick(seed) : Recipe.recommended(seed);
        return base.withItemContent(ItemContentSource.of(content));
    }

    /**
     * {@code stages} with every {@code train-sasrec} stage moved right after {@code prepare} (they need nothing else),
     * in their order, so that in the background they overlap every later stage; unchanged when either is missing.
     */
    static List<String[]> sasrecAfterPrepare(List<String[]> stages) {
        int prepare = -1;
        for (int i = 0; i < stages.size() && prepare < 0; i++) {
            if (stages.get(i)[0].equals("prepare")) {
                prepare = i;
            }
        }
        if (prepare < 0) {
            return stages;
        }
        List<String[]> sasrec = stages.stream().filter(a -> a[0].equals("train-sasrec")).toList();
        if (sasrec.isEmpty() || stages.subList(0, prepare).stream().anyMatch(a -> a[0].equals("train-sasrec"))) {
            return stages;
        }
        List<String[]> out = new ArrayList<>(stages);
        out.removeAll(sasrec);
        out.addAll(out.indexOf(stages.get(prepare)) + 1, sasrec);
        return out;
    }

    /** Runs {@code stage} in this process, records its time and status in {@code entry}; its exit status. */
    private static int runHere(String[] stage, Map<String, Object> entry) {
        System.out.println();
        System.out.println("== " + String.join(" ", stage));
        long t0 = System.nanoTime();
        int rc = Main.run(stage);
        entry.put("seconds", CommandSupport.since(t0));
        entry.put("status", rc == 0 ? "ok" : "failed (exit " + rc + ")");
        if (rc != 0) {
            System.err.println("error: pipeline stage '" + String.join(" ", stage) + "' failed with exit code " + rc
                    + "; fix it and rerun: finished stages are reused.");
        }
        return rc;
    }

    /** Where the background run of {@code train-sasrec} command line {@code args} writes its output. */
    static Path log(WorkDir w, String[] args) {
        String features = "none";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--item-features")) {
                features = args[i + 1];
            }
        }
        return w.commandDir(TrainSasrecCommand.runName(TrainSasrecCommand.modelName(features)))
                .resolve("pipeline.log");
    }

    /**
     * Waits for the background SASRec stages, records how each ended in its entry of {@code entries} (one per stage,
     * in order); a stage that could not start in a child JVM runs here. The first non-zero exit status, or 0.
     */
    private static int finish(BackgroundChain chain, List<Map<String, Object>> entries) {
        List<BackgroundChain.Result> results;
        try {
            results = chain.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            chain.close();
            return CleanStop.STOPPED_STATUS;
        }
        for (int i = 0; i < results.size(); i++) {
            BackgroundChain.Result r = results.get(i);
            Map<String, Object> entry = entries.get(i);
            if (r.status() == null) {
                entry.remove("background");
                entry.remove("log");
                int rc = runHere(r.args(), entry); // no child JVM could start it
                if (rc != 0) {
                    return rc;
                }
                continue;
            }
            int rc = r.status();
            entry.put("seconds", r.seconds());
            entry.put("status", rc == 0 ? "ok" : "failed (exit " + rc + ")");
            System.out.println();
            System.out.println("== " + String.join(" ", r.args()) + "  (child JVM) finished in "
                    + CommandSupport.seconds(r.seconds()) + (rc == 0 ? "" : ", exit " + rc));
            if (rc != 0) {
                BackgroundStage.tail(r.log(), 20).forEach(System.err::println);
                System.err.println("error: pipeline stage '" + String.join(" ", r.args()) + "' failed with exit code "
                        + rc + " (log " + r.log() + "); fix it and rerun: finished stages are reused.");
                return rc;
            }
        }
        return 0;
    }

    private static String[] args(String... a) {
        return a;
    }

    private Map<String, Object> writeSummary(WorkDir w, List<Map<String, Object>> ran, long start) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("quick", quick);
        summary.put("seed", seed);
        summary.put("base_model", baseModel == null ? null : baseModel.toString());
        summary.put("stages", ran);
        summary.put("results", results(w));
        summary.put("seconds", CommandSupport.since(start));
        Json.writePretty(w.summary("pipeline"), summary);
        return summary;
    }

    /**
     * The test-split metrics of every model and negative count found under {@code W/eval}, and under
     * {@code <model>-neg<m>-buckets} the same metrics for cold, rare and the other targets ({@link TargetBuckets}).
     */
    static Map<String, Object> results(WorkDir w) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<Integer, Integer> counts = null;
        for (String model : MODELS) {
            for (String m : List.of("9", "99")) {
                Path f = w.eval().resolve(model + "-neg" + m + "-test.json");
                if (Files.isRegularFile(f)) {
                    JsonNode n = Json.read(f, JsonNode.class).path("metrics");
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    n.fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
                    out.put(model + "-neg" + m, metrics);
                    Path users = w.eval().resolve(model + "-neg" + m + "-test-users.jsonl");
                    if (Files.isRegularFile(users)) {
                        if (counts == null) {
                            counts = TargetBuckets.trainingCounts(PreparedData.load(w).sequences());
                        }
                        out.put(model + "-neg" + m + "-buckets", TargetBuckets.metrics(
                                JsonLines.read(users, SampleResult.class), counts));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Prints one row per model: HR@1, HR@3, NDCG@3, HR@5, MRR at 9 negatives, HR@1, HR@3, HR@10, NDCG@10, MRR at 99,
     * and HR@3 at 9 negatives for rare targets (1-4 training interactions) and cold ones (none).
     */
    static void printTable(PrintStream out, WorkDir w) {
        Map<String, Object> r = results(w);
        List<List<String>> rows = new ArrayList<>();
        for (String model : MODELS) {
            @SuppressWarnings("unchecked")
            Map<String, Double> a = (Map<String, Double>) r.get(model + "-neg9");
            @SuppressWarnings("unchecked")
            Map<String, Double> b = (Map<String, Double>) r.get(model + "-neg99");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Double>> buckets = (Map<String, Map<String, Double>>) r.get(model
                    + "-neg9-buckets");
            rows.add(List.of(model, cell(a, "HR@1"), cell(a, "HR@3"), cell(a, "NDCG@3"), cell(a, "HR@5"),
                    cell(a, "MRR"), cell(b, "HR@1"), cell(b, "HR@3"), cell(b, "HR@10"), cell(b, "NDCG@10"),
                    cell(b, "MRR"), bucketCell(buckets, "rare"), bucketCell(buckets, "cold")));
        }
        out.println("test split, 9 negatives | 99 negatives | HR@3 at 9 negatives of rare (1-4 training "
                + "interactions) and cold (none) targets");
        CommandSupport.printTable(out, List.of("model", "HR@1", "HR@3", "NDCG@3", "HR@5", "MRR", "HR@1/99",
                "HR@3/99", "HR@10/99", "NDCG@10/99", "MRR/99", "rare HR@3", "cold HR@3"), rows);
    }

    private static String bucketCell(Map<String, Map<String, Double>> buckets, String bucket) {
        Map<String, Double> m = buckets == null ? null : buckets.get(bucket);
        return m == null ? "-" : CommandSupport.metric(m.get("HR@3")) + " (" + m.get("count").intValue() + ")";
    }

    private static String cell(Map<String, Double> m, String key) {
        return m == null || !m.containsKey(key) ? "-" : CommandSupport.metric(m.get(key));
    }
}
