package dev.mllmrec.spark.cli;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.data.NegativeSampler;
import dev.mllmrec.core.data.PrepareConfig;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.TrainingStage;
import dev.mllmrec.spark.CotGeneratorSpec;
import dev.mllmrec.spark.ExecutorModels;
import dev.mllmrec.spark.SparkAssess;
import dev.mllmrec.spark.SparkAugment;
import dev.mllmrec.spark.SparkBuildCot;
import dev.mllmrec.spark.SparkPrepare;
import dev.mllmrec.spark.SparkRank;
import dev.mllmrec.spark.SparkTextualize;
import dev.mllmrec.spark.SyntheticLog;
import dev.mllmrec.spark.TextualizerSpec;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The Spark jobs' command line: {@code spark-submit --class dev.mllmrec.spark.cli.SparkMain mllmrec-spark.jar
 * <job> ...} on a cluster, or the same jobs in local mode with {@code --master local[2]} from a plain {@code java}
 * command (Spark's jars on the class path). Every job has {@code --help}, prints its JSON summary on standard output
 * and writes it to {@code --summary} (by default {@code OUT/summary-<job>.json} when the output is a local folder).
 * Exit status 2: bad input, named in one line.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "mllmrec-spark", mixinStandardHelpOptions = true, version = "mllmrec-spark 0.1.0",
        description = "mllmrec's offline stages and batch ranking on Apache Spark, with the same answers as one "
                + "machine.",
        subcommands = {CommandLine.HelpCommand.class, SparkMain.Prepare.class, SparkMain.Rank.class,
                SparkMain.Textualize.class, SparkMain.BuildCot.class, SparkMain.Assess.class, SparkMain.Augment.class,
                SparkMain.Generate.class})
public final class SparkMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the program and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the program and returns its exit status (for tests and embedding). */
    public static int run(String... args) {
        if (System.getProperty("java.awt.headless") == null) {
            // generate --images draws off screen.
            System.setProperty("java.awt.headless", "true");
        }
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // One libtorch thread per task: Spark runs one task per core already.
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof InvalidDataException || t instanceof IllegalArgumentException) {
                    cmd.getErr().println("error: " + t.getMessage());
                    return 2;
                }
            }
            throw ex;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The options every Spark job has. */
    /** {@code --samples} and {@code --negatives}: the training windows a reasoning job reads. */
    static final class TrainingWindows {
        @Option(names = "--samples", paramLabel = "PATH", required = true,
                description = "The training windows: the prepare job's OUT/samples, a samples.jsonl, or Parquet.")
        String samples;

        @Option(names = "--negatives", paramLabel = "M", defaultValue = "9",
                description = "The training set's negatives when the table holds several. Default: ${DEFAULT-VALUE}.")
        int negatives;
    }

    /** The OpenAI-compatible server a job's executors call (textualize, build-cot). */
    static final class ServerOptions {

        @Option(names = "--base-url", paramLabel = "URL",
                description = "With a server back end: the server as the executors reach it, for example "
                        + "http://vlm:8000/v1.")
        String baseUrl;

        @Option(names = "--model", paramLabel = "NAME", description = "With a server back end: the model name.")
        String model;

        @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = "OPENAI_API_KEY",
                description = "With a server back end: the environment variable each executor reads the API key "
                        + "from (the key itself never travels with the job). Default: ${DEFAULT-VALUE}.")
        String apiKeyEnv;
    }

    /** {@code --catalog} and {@code --captions}: the items a reasoning job renders. */
    static final class ItemFiles {
        @Option(names = "--catalog", paramLabel = "PATH", required = true,
                description = "The items, JSON Lines (W/catalog.jsonl); a path every executor sees, or a Hadoop URI.")
        String catalog;

        @Option(names = "--captions", paramLabel = "PATH",
                description = "Captions, JSON Lines (W/captions.jsonl); default none.")
        String captions;
    }

    static final class SparkOptions {

        @Option(names = "--master", paramLabel = "URL",
                description = "The Spark master, for example local[2]; default: spark-submit's (--master there).")
        String master;

        @Option(names = "--conf", paramLabel = "KEY=VALUE",
                description = "A Spark setting (repeatable), for example spark.sql.shuffle.partitions=8.")
        List<String> conf = new ArrayList<>();

        @Option(names = "--summary", paramLabel = "FILE",
                description = "Where to write the JSON summary (default OUT/summary-<job>.json for a local OUT).")
        Path summary;

        SparkSession session(String job) {
            SparkSession.Builder b = SparkSession.builder().appName("mllmrec " + job);
            if (master == null && System.getProperty("spark.master") == null) {
                throw new IllegalArgumentException("No Spark master: give --master (for example local[2]) or run "
                        + "the job with spark-submit.");
            }
            if (master != null) {
                b.master(master);
                if (master.startsWith("local")) {
                    // One process: no UI, and the driver on the loopback address (a machine whose host name does
                    // not resolve fails to bind otherwise). --conf overrides these.
                    b.config("spark.ui.enabled", "false");
                    b.config("spark.driver.bindAddress", "127.0.0.1");
                    b.config("spark.driver.host", "localhost");
                }
            }
            for (String kv : conf) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--conf takes KEY=VALUE, got '" + kv + "'.");
                }
                b.config(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return b.getOrCreate();
        }

        /**
         * Runs {@code job} in a session of these options and writes its summary for {@code out}; stops the session
         * however the job ends, and in local mode closes the models the executors (this JVM) loaded.
         */
        int run(String job, String out, java.util.function.Function<SparkSession, Object> body) {
            SparkSession spark = session(job);
            try {
                writeSummary(out, job, body.apply(spark), System.out);
            } finally {
                spark.stop();
                if (spark.sparkContext().isLocal()) {
                    ExecutorModels.closeAll();
                }
            }
            return 0;
        }

        void writeSummary(String out, String job, Object summary, PrintStream stdout) {
            stdout.println(Json.line(summary));
            Path file = this.summary;
            if (file == null) {
                URI uri = URI.create(out.replace(" ", "%20"));
                if (uri.getScheme() == null || uri.getScheme().length() == 1) {
                    file = Path.of(out).resolve("summary-" + job + ".json");
                } else if (uri.getScheme().equals("file")) {
                    file = Path.of(uri).resolve("summary-" + job + ".json");
                }
            }
            if (file != null) {
                Json.writePretty(file, summary);
            }
        }
    }

    /** {@code prepare}: leave-one-out samples and negatives from an interactions table. */
    @Command(name = SparkPrepare.JOB, mixinStandardHelpOptions = true,
            description = {"Leave-one-out samples and negatives from an interactions table, equal (after sorting) to "
                    + "the single-machine prepare's for the same data and settings, however the data is partitioned.",
                    "Writes OUT/sequences and OUT/samples (Parquet, partitioned by split and negatives)."})
    static final class Prepare implements Callable<Integer> {

        @Mixin
        SparkOptions sparkOptions = new SparkOptions();

        @Option(names = "--interactions", paramLabel = "PATH", required = true,
                description = "userId, itemId (or movieId), timestamp: a CSV file with a header (MovieLens's "
                        + "ratings.csv as it is) or Parquet.")
        String interactions;

        @Option(names = "--catalog", paramLabel = "PATH",
                description = "The item ids negatives are drawn from (column id, itemId or movieId; JSON Lines, CSV "
                        + "or Parquet). Default: the items of the kept users' sequences.")
        String catalog;

        @Option(names = "--out", paramLabel = "OUT", required = true, description = "The output folder.")
        String out;

        @Option(names = "--min-interactions", paramLabel = "N",
                defaultValue = "" + PrepareConfig.DEFAULT_MIN_INTERACTIONS,
                description = "Users with fewer interactions are left out. Default: ${DEFAULT-VALUE}.")
        int minInteractions;

        @Option(names = "--history", paramLabel = "N", defaultValue = "" + PrepareConfig.DEFAULT_HISTORY,
                description = "The longest history of a sample. Default: ${DEFAULT-VALUE}.")
        int history;

        @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "uniform-window",
                description = "uniform-window or uniform-user. Default: ${DEFAULT-VALUE}.")
        String sampler;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
                description = "The seed every sample's random stream derives from. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--eval-negatives", paramLabel = "M", split = ",", defaultValue = "9,99",
                description = "Negatives of the validation and test samples. Default: ${DEFAULT-VALUE}.")
        List<Integer> evalNegatives;

        @Option(names = "--train-negatives", paramLabel = "M",
                defaultValue = "" + PrepareConfig.DEFAULT_TRAIN_NEGATIVES,
                description = "Negatives of the training windows. Default: ${DEFAULT-VALUE}.")
        int trainNegatives;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Spread users over N partitions (0: as Spark groups them). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Override
        public Integer call() {
            SparkPrepare.Options o = new SparkPrepare.Options(interactions, catalog, out, minInteractions, history,
                    NegativeSampler.parse(sampler), seed, evalNegatives, trainNegatives, partitions);
            return sparkOptions.run(SparkPrepare.JOB, out, spark -> SparkPrepare.run(spark, o));
        }
    }

    /** {@code rank}: batch ranking with a trained model. */
    @Command(name = SparkRank.JOB, mixinStandardHelpOptions = true,
            description = {"Ranks every sample's candidates with a trained SASRec or policy, loaded once per "
                    + "executor; writes OUT/rankings (Parquet: sampleId, userId, target, rank, top, ranked, scores) "
                    + "and HR@K, NDCG@K, MRR in the summary. Each ranking equals the single-machine evaluate's."})
    static final class Rank implements Callable<Integer> {

        @Mixin
        SparkOptions sparkOptions = new SparkOptions();

        @Option(names = "--samples", paramLabel = "PATH", required = true,
                description = "The samples: the prepare job's OUT/samples, a single machine's samples.jsonl, or "
                        + "Parquet with the sample columns.")
        String samples;

        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test",
                description = "The split to rank when the table holds several. Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--negatives", paramLabel = "M", defaultValue = "9",
                description = "The set's negatives when the table holds several. Default: ${DEFAULT-VALUE}.")
        int negatives;

        @Option(names = "--model", paramLabel = "NAME", defaultValue = "sasrec",
                description = "sasrec, grpo or sft. Default: ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--model-path", paramLabel = "PATH", required = true,
                description = "sasrec: the checkpoint folder (W/checkpoints/sasrec); grpo, sft: the work directory. "
                        + "A path every executor sees, or a Hadoop URI (shipped with the job).")
        String modelPath;

        @Option(names = "--out", paramLabel = "OUT", required = true, description = "The output folder.")
        String out;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Spread samples over N partitions (0: as read). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + SparkRank.DEFAULT_BATCH,
                description = "Requests per ranking call. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Override
        public Integer call() {
            SparkRank.Options o = new SparkRank.Options(samples, split.strip().toLowerCase(Locale.ROOT), negatives,
                    ExecutorModels.Kind.parse(model), modelPath, out, partitions, batchSize);
            return sparkOptions.run(SparkRank.JOB, out, spark -> SparkRank.run(spark, o));
        }
    }

    /** {@code textualize}: captions with the built-in captioner or a vision-language server. */
    @Command(name = SparkTextualize.JOB, mixinStandardHelpOptions = true,
            description = {"Captions every catalog item's image with the built-in captioner or a vision-language "
                    + "model behind an OpenAI-compatible server (one client per executor), "
                    + "reusing an earlier run's caption when the image hash and textualizer are unchanged; writes "
                    + "OUT/captions (Parquet: the caption fields, status captioned|cached|failed, reason). The "
                    + "captions equal the single-machine textualize's. Image paths must be readable by every "
                    + "executor."})
    static final class Textualize implements Callable<Integer> {

        @Mixin
        SparkOptions sparkOptions = new SparkOptions();

        @Option(names = "--catalog", paramLabel = "PATH", required = true,
                description = "The items, JSON Lines (W/catalog.jsonl, written by prepare).")
        String catalog;

        @Option(names = "--previous", paramLabel = "PATH",
                description = "Captions of an earlier run to reuse (its OUT/captions, or a captions.jsonl).")
        String previous;

        @Option(names = "--out", paramLabel = "OUT", required = true, description = "The output folder.")
        String out;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Spread items over N partitions (0: as read). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(names = "--textualizer", paramLabel = "KIND", defaultValue = TextualizerSpec.BUILTIN,
                description = "builtin, or openai (a vision-language model behind an OpenAI-compatible server). "
                        + "Default: ${DEFAULT-VALUE}.")
        String textualizer;

        @Mixin
        ServerOptions server = new ServerOptions();

        @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "openai: the time limit of one request. Default: ${DEFAULT-VALUE}.")
        int requestTimeout;

        @Option(names = "--concurrency", paramLabel = "N",
                description = "Requests in flight per executor (all its tasks together) and items a task "
                        + "captions at once. Default: 4 for openai, 1 for builtin (tasks are the parallelism).")
        Integer concurrency;

        @Override
        public Integer call() {
            TextualizerSpec spec = new TextualizerSpec(textualizer, server.baseUrl, server.model, server.apiKeyEnv,
                    requestTimeout, concurrency != null ? concurrency
                            : TextualizerSpec.OPENAI.equalsIgnoreCase(textualizer.strip()) ? 4 : 1);
            SparkTextualize.Options d = SparkTextualize.Options.defaults(catalog, out);
            SparkTextualize.Options o = new SparkTextualize.Options(catalog, previous, out, partitions,
                    d.maxImageBytes(), spec);
            return sparkOptions.run(SparkTextualize.JOB, out, spark -> SparkTextualize.run(spark, o));
        }
    }

    /** {@code build-cot}: reasoning traces with the built-in writer or an LLM server. */
    @Command(name = SparkBuildCot.JOB, mixinStandardHelpOptions = true,
            description = {"Writes a four-step reasoning trace for every training window with the built-in writer "
                    + "or a multimodal LLM server (--generator openai-pseudo), built once per executor; writes "
                    + "OUT/cot (Parquet: the trace fields and error). The traces equal the single-machine "
                    + "build-cot's."})
    static final class BuildCot implements Callable<Integer> {

        @Mixin
        SparkOptions sparkOptions = new SparkOptions();

        @Mixin
        TrainingWindows windows = new TrainingWindows();

        @Mixin
        ItemFiles items = new ItemFiles();

        @Option(names = "--out", paramLabel = "OUT", required = true, description = "The output folder.")
        String out;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Spread windows over N partitions (0: as read). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(names = "--generator", paramLabel = "NAME", defaultValue = CotGeneratorSpec.BUILTIN,
                description = "builtin, or openai-pseudo (a multimodal LLM behind an OpenAI-compatible server "
                        + "writes each trace from the history's titles and posters). Default: ${DEFAULT-VALUE}.")
        String generator;

        @Mixin
        ServerOptions server = new ServerOptions();

        @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.1",
                description = "openai-pseudo: sampling temperature. Default: ${DEFAULT-VALUE}.")
        double temperature;

        @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "1024",
                description = "openai-pseudo: reply token limit. Default: ${DEFAULT-VALUE}.")
        int maxTokens;

        @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "120",
                description = "openai-pseudo: request timeout. Default: ${DEFAULT-VALUE}.")
        int timeoutSeconds;

        @Option(names = "--concurrency", paramLabel = "N",
                description = "Requests in flight per executor (all its tasks together) and windows a task writes "
                        + "at once. Default: 8 for openai-pseudo, 1 for builtin.")
        Integer concurrency;


        @Override
        public Integer call() {
            CotGeneratorSpec spec = new CotGeneratorSpec(generator, server.baseUrl, server.model,
                    server.apiKeyEnv, timeoutSeconds, temperature, maxTokens, concurrency != null ? concurrency
                            : CotGeneratorSpec.OPENAI_PSEUDO.equalsIgnoreCase(generator.strip()) ? 8 : 1);
            SparkBuildCot.Options o = new SparkBuildCot.Options(windows.samples, windows.negatives, items.catalog,
                    items.captions, out, partitions, spec);
            return sparkOptions.run(SparkBuildCot.JOB, out, spark -> SparkBuildCot.run(spark, o));
        }
    }

    /** {@code assess}: the confidence-aware assessment of reasoning traces. */
    @Command(name = SparkAssess.JOB, mixinStandardHelpOptions = true,
            description = {"Assesses every trace as the single-machine assess does: the leakage veto, the format "
                    + "check, and the retrieval-agreement score (all-MiniLM-L6-v2 loaded once per executor, or "
                    + "TF-IDF), kept by threshold or top fraction; writes OUT/assessed (Parquet: the trace fields, "
                    + "kept, score, reason, scores, candidates). The assessments equal the single-machine assess's."})
    static final class Assess implements Callable<Integer> {

        @Mixin
        SparkOptions sparkOptions = new SparkOptions();

        @Mixin
        TrainingWindows windows = new TrainingWindows();

        @Option(names = "--cot", paramLabel = "PATH", required = true,
                description = "The traces: the build-cot job's OUT/cot or a W/cot.jsonl.")
        String cot;

        @Mixin
        ItemFiles items = new ItemFiles();

        @Option(names = "--out", paramLabel = "OUT", required = true, description = "The output folder.")
        String out;

        @Option(names = "--assessors", paramLabel = "LIST", split = ",", defaultValue = "leakage,retrieval",
                description = "Any of leakage, retrieval. Default: ${DEFAULT-VALUE}.")
        List<String> assessors;

        @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "minilm",
                description = "minilm (all-MiniLM-L6-v2; falls back to tfidf when ONNX Runtime or the model is not "
                        + "on the class path) or tfidf. Default: ${DEFAULT-VALUE}.")
        String encoder;

        @Option(names = "--query", paramLabel = "PART", defaultValue = "criteria",
                description = "criteria (Step 3) or full (the whole trace). Default: ${DEFAULT-VALUE}.")
        String query;

        @Option(names = "--threshold", paramLabel = "T", description = "Keep traces scoring at least T.")
        Double threshold;

        @Option(names = "--keep-fraction", paramLabel = "F", description = "Keep the best F of the eligible traces.")
        Double keepFraction;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Spread traces over N partitions (0: as joined). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Override
        public Integer call() {
            SparkAssess.Options o = new SparkAssess.Options(windows.samples, windows.negatives, cot, items.catalog,
                    items.captions, out, partitions, assessors, encoder, query, threshold, keepFraction);
            return sparkOptions.run(SparkAssess.JOB, out, spark -> SparkAssess.run(spark, o));
        }
    }

    /** {@code augment}: mixed-grained injection of kept reasoning into one stage's training lines. */
    @Command(name = SparkAugment.JOB, mixinStandardHelpOptions = true,
            description = {"Draws, per training window and seeded, whether its prompt carries no reasoning, the "
                    + "Step-3 criteria only, or the full chain of thought, from the traces kept by assess; writes "
                    + "OUT/train_<stage> (Parquet: the sample fields, granularity, reasoning). The lines equal the "
                    + "single-machine augment's."})
    static final class Augment implements Callable<Integer> {

        @Mixin
        SparkOptions sparkOptions = new SparkOptions();

        @Mixin
        TrainingWindows windows = new TrainingWindows();

        @Option(names = "--assessed", paramLabel = "PATH", required = true,
                description = "The assessed traces: the assess job's OUT/assessed or a W/cot_assessed.jsonl.")
        String assessed;

        @Option(names = "--stage", paramLabel = "STAGE", required = true, description = "sft or grpo.")
        String stage;

        @Option(names = "--cot-prob", paramLabel = "P",
                description = "Fraction of windows with the full CoT. Default: 0.1 (sft), 0.05 (grpo).")
        Double cotProb;

        @Option(names = "--criteria-prob", paramLabel = "Q", defaultValue = "0",
                description = "Fraction of windows with Step 3 only. Default: ${DEFAULT-VALUE}.")
        double criteriaProb;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "quota",
                description = "quota (exact counts) or bernoulli (independent draws). Default: ${DEFAULT-VALUE}.")
        String strategy;

        @Option(names = "--out", paramLabel = "OUT", required = true, description = "The output folder.")
        String out;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
                description = "Spread windows over N partitions (0: as joined). Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Override
        public Integer call() {
            MixedGrainedAugmenter.Strategy strat;
            try {
                strat = MixedGrainedAugmenter.Strategy.valueOf(strategy.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown --strategy '" + strategy
                        + "'; expected quota or bernoulli.");
            }
            SparkAugment.Options o = new SparkAugment.Options(windows.samples, windows.negatives, assessed,
                    TrainingStage.parse(stage), cotProb, criteriaProb, seed, strat, out, partitions);
            return sparkOptions.run(SparkAugment.JOB, out, spark -> SparkAugment.run(spark, o));
        }
    }

    /** {@code generate}: a seeded synthetic catalog and interaction log (no Spark needed). */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Writes a seeded synthetic catalog and interaction log in MovieLens's layout "
                    + "(DIR/movies.csv, DIR/ratings.csv, with --images DIR/posters/<id>.png): the input of both the "
                    + "single-machine prepare --movielens DIR and the Spark prepare --interactions DIR/ratings.csv."})
    static final class Generate implements Callable<Integer> {

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "The folder to write.")
        Path out;

        @Option(names = "--items", paramLabel = "N", defaultValue = "10000",
                description = "Catalog size. Default: ${DEFAULT-VALUE}.")
        int items;

        @Option(names = "--interactions", paramLabel = "N", defaultValue = "100000",
                description = "Interactions. Default: ${DEFAULT-VALUE}.")
        long interactions;

        @Option(names = "--mean-length", paramLabel = "N", defaultValue = "20",
                description = "Mean interactions per user. Default: ${DEFAULT-VALUE}.")
        int meanLength;

        @Option(names = "--min-length", paramLabel = "N", defaultValue = "10",
                description = "Fewest interactions per user (but the last). Default: ${DEFAULT-VALUE}.")
        int minLength;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--images", description = "Also write a procedural poster per item (DIR/posters/<id>.png).")
        boolean images;

        @Override
        public Integer call() {
            SyntheticLog.Spec s = new SyntheticLog.Spec(items, interactions, meanLength, minLength, seed);
            SyntheticLog.Written w = SyntheticLog.write(s, out);
            int posters = images ? SyntheticLog.writeImages(s, out) : 0;
            Map<String, Object> summary = Map.of("job", "generate", "written", w, "images", posters);
            System.out.println(Json.line(summary));
            Json.writePretty(out.resolve("summary-generate.json"), summary);
            return 0;
        }
    }
}
