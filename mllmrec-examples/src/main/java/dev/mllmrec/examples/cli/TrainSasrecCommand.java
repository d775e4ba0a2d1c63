package dev.mllmrec.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.content.ItemFacets;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.sasrec.HoldOut;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecListener;
import dev.mllmrec.core.sasrec.SasRecLoss;
import dev.mllmrec.core.sasrec.SasRecModel;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import dev.mllmrec.core.sasrec.SasRecTrainer;
import dev.mllmrec.core.sasrec.SasRecTrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train-sasrec}: trains the SASRec baseline on each user's training prefix of {@code W/sequences.jsonl} (the
 * full sequence without its validation and test items), validates on the validation item after every epoch, keeps
 * the best epoch, and saves the model to {@code W/checkpoints/sasrec}. With {@code --item-features attributes} or
 * {@code facets} it trains the content-aware SASRec instead, a second model of the same work directory:
 * {@code W/checkpoints/sasrec-content}, its files under {@code W/train-sasrec-content} (so a work directory holds
 * both baselines, as {@code pipeline} trains them, and {@code evaluate --model sasrec-content} ranks with it).
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "train-sasrec", mixinStandardHelpOptions = true,
        description = {"Trains the SASRec baseline on the training prefixes of W/sequences.jsonl (each user's "
                + "sequence without its last two items). Validates after each epoch on the second-to-last item "
                + "(the 9 items before it, 9 uniform negatives) and keeps the best epoch. The model goes to "
                + "W/checkpoints/sasrec, per-epoch metrics to W/train-sasrec/metrics.jsonl, the summary to "
                + "W/train-sasrec/summary.json; with --item-features attributes or facets, the content-aware model "
                + "goes to W/checkpoints/sasrec-content and its files to W/train-sasrec-content (evaluate --model "
                + "sasrec-content). A finished run with the same settings is not repeated."})
public final class TrainSasrecCommand implements Callable<Integer> {

    /**
     * Ends training after the current step once a stop is requested (SIGTERM, Ctrl-C), without a checkpoint or a
     * summary: SASRec does not resume, so a stopped run must not look finished; the next run trains it again.
     */
    static final SasRecListener STOP_ON_SIGNAL = new SasRecListener() {
        @Override
        public void onStep(Step step) {
            StopSignal.throwIfRequested();
        }
    };

    @picocli.CommandLine.Mixin
    DeviceOption devices;

    /** The command's name, also its directory under the work directory. */
    static final String NAME = "train-sasrec";

    /** The content-aware model's name: its checkpoint is {@code W/checkpoints/sasrec-content}. */
    static final String CONTENT_MODEL = RecommenderFactory.SASREC_CONTENT;

    private static final SasRecConfig DEFAULTS = SasRecConfig.defaults();

    private static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The prepared work directory.")
    Path workDir;

    @Option(names = "--epochs", paramLabel = "N", description = "Maximum passes over the training windows.")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of training and validation sampling.")
    Long seed;

    @Option(names = "--max-length", paramLabel = "L", description = "Items the model reads.")
    Integer maxLength;

    @Option(names = "--hidden-size", paramLabel = "H", description = "Embedding and hidden width.")
    Integer hiddenSize;

    @Option(names = "--blocks", paramLabel = "N", description = "Self-attention blocks.")
    Integer blocks;

    @Option(names = "--heads", paramLabel = "N", description = "Attention heads.")
    Integer heads;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout rate.")
    Float dropout;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate.")
    Float learningRate;

    @Option(names = "--l2", paramLabel = "L2", description = "L2 penalty on the item embeddings.")
    Float l2;

    @Option(names = "--batch-size", paramLabel = "B", description = "Training windows per step.")
    Integer batchSize;

    @Option(names = "--window-stride", paramLabel = "S", description = "Items between training window ends.")
    Integer windowStride;

    @Option(names = "--windows-per-user", paramLabel = "N",
            description = "At most N training windows per user, the most recent (0: every window).")
    Integer windowsPerUser;

    @Option(names = "--lr-schedule", paramLabel = "S",
            description = "constant, or cosine (decays to 0 along a half cosine over --epochs).")
    String lrSchedule;

    @Option(names = "--negatives", paramLabel = "K", description = "Sampled negatives per position in the loss.")
    Integer negatives;

    @Option(names = "--loss", paramLabel = "L",
            description = "Training objective: softmax (full-softmax cross-entropy over the catalog) or bce (the "
                    + "paper's binary cross-entropy against --negatives sampled items).")
    String loss;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "10",
            description = "Stop after N epochs without a better --validation-metric (0: run every epoch, keep the "
                    + "last). Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--validation-metric", paramLabel = "M", defaultValue = "NDCG@3",
            description = "The validation metric early stopping watches: HR@1, HR@3, HR@5, HR@10, NDCG@3, NDCG@5, "
                    + "NDCG@10 or MRR. Default: ${DEFAULT-VALUE}.")
    String validationMetric;

    @Option(names = "--validation-negatives", paramLabel = "M", defaultValue = "9",
            description = "Negatives per validation request. Default: ${DEFAULT-VALUE}.")
    int validationNegatives;

    @Option(names = "--item-features", paramLabel = "F", defaultValue = "none",
            description = "none (item ids only), attributes (each item's embedding also maps its genre multi-hot and "
                    + "release decade), or facets (attributes plus its poster's measurements where the catalog has "
                    + "images): a content-aware SASRec that can rank items without training interactions. "
                    + "Default: ${DEFAULT-VALUE}.")
    String itemFeatures;

    @Option(names = "--force", description = "Train again even when a finished run with these settings exists.")
    boolean force;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "PyTorch intra-op threads for this process, unless -Dai.djl.pytorch.num_threads is set "
                    + "(SASRec's small tensors train fastest on one). Default: ${DEFAULT-VALUE}.")
    int threads;

    /** The config the options ask for: the library defaults, overridden by each option given. */
    SasRecConfig config() {
        SasRecConfig.Builder b = DEFAULTS.toBuilder();
        if (epochs != null) {
            b.optEpochs(epochs);
        }
        if (seed != null) {
            b.optSeed(seed);
        }
        if (maxLength != null) {
            b.optMaxLength(maxLength);
        }
        if (hiddenSize != null) {
            b.optHiddenSize(hiddenSize);
        }
        if (blocks != null) {
            b.optBlocks(blocks);
        }
        if (heads != null) {
            b.optHeads(heads);
        }
        if (dropout != null) {
            b.optDropout(dropout);
        }
        if (learningRate != null) {
            b.optLearningRate(learningRate);
        }
        if (l2 != null) {
            b.optL2(l2);
        }
        if (batchSize != null) {
            b.optBatchSize(batchSize);
        }
        if (windowStride != null) {
            b.optWindowStride(windowStride);
        }
        if (negatives != null) {
            b.optNegatives(negatives);
        }
        if (windowsPerUser != null) {
            b.optWindowsPerUser(windowsPerUser);
        }
        if (lrSchedule != null) {
            b.optCosineDecay(switch (lrSchedule.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "cosine" -> true;
                case "constant" -> false;
                default -> throw new IllegalArgumentException("--lr-schedule must be constant or cosine, got '"
                        + lrSchedule + "'.");
            });
        }
        if (loss != null) {
            b.optLoss(switch (loss.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "softmax" -> SasRecLoss.SOFTMAX_CROSS_ENTROPY;
                case "bce" -> SasRecLoss.BINARY_CROSS_ENTROPY;
                default -> throw new IllegalArgumentException("--loss must be softmax or bce, got '" + loss + "'.");
            });
        }
        return b.build();
    }

    @Override
    public Integer call() {
        devices.apply();
        if (threads <= 0) {
            throw new IllegalArgumentException("--threads must be positive, got " + threads + ".");
        }
        if (System.getProperty(THREADS_PROPERTY) == null) {
            // Read when the PyTorch engine starts, which in this process is during training below.
            System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
        }
        WorkDir w = WorkDir.of(workDir);
        SasRecConfig config = config();
        String modelName = modelName(featureKind());
        Path checkpoint = w.checkpoints(modelName);
        Path summaryFile = w.summary(runName(modelName));
        Map<String, Object> settings = settings(config);
        if (!force && finished(summaryFile, checkpoint, settings)) {
            System.err.println("train-sasrec: " + checkpoint + " already holds a model trained with these settings;"
                    + " use --force to train again.");
            System.out.print(read(summaryFile));
            return 0;
        }
        PreparedData data = PreparedData.load(w);
        List<UserHistory> sequences = data.sequences();
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException(w.sequences() + " is empty; run prepare again.");
        }
        // The vocabulary and the negatives' pool are the catalog, never the items that happen to occur in the full
        // sequences: those include the held-out targets, and an item unseen in training must be treated the same
        // whether or not it is a target (a vocabulary from full sequences pinned never-seen negatives at the bottom
        // while every held-out target stayed known).
        Set<Integer> catalog = new TreeSet<>();
        for (int id : data.catalog().ids()) {
            catalog.add(id);
        }
        List<UserHistory> train = HoldOut.prefixes(sequences, 2);
        List<RecommendationSample> validation = HoldOut.samples(sequences, HoldOut.VALIDATION, 9,
                validationNegatives, catalog, config.seed());
        Path metrics = w.commandDir(runName(modelName)).resolve("metrics.jsonl");
        deleteIfExists(metrics);
        SasRecTrainer.Builder trainer = SasRecTrainer.builder().optConfig(config).optMetricsFile(metrics)
                .optValidator((model, epoch) -> validate(model, validation))
                .addListener(STOP_ON_SIGNAL);
        if (patience > 0) {
            if (!java.util.Set.of("HR@1", "HR@3", "HR@5", "HR@10", "NDCG@3", "NDCG@5", "NDCG@10", "MRR")
                    .contains(validationMetric)) {
                throw new IllegalArgumentException("--validation-metric must be one of HR@1, HR@3, HR@5, HR@10, "
                        + "NDCG@3, NDCG@5, NDCG@10, MRR; got '" + validationMetric + "'.");
            }
            trainer.optEarlyStopping(validationMetric, patience);
        }
        Map<Integer, float[]> features = itemFeatures(data.catalog());
        SasRecTrainingResult result = trainer.build().train(train, catalog, features);
        try (SasRecModel model = result.model()) {
            Map<String, Double> m = validate(model, validation);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("params", model.parameterCount());
            summary.put("steps", result.steps());
            summary.put("seconds", result.seconds());
            summary.put("train_loss", result.trainLoss());
            summary.put("validation", Map.of("HR@1", m.get("HR@1"), "HR@3", m.get("HR@3"),
                    "NDCG@3", m.get("NDCG@3"), "MRR", m.get("MRR")));
            summary.put("epochs", result.epochs().size());
            summary.put("best_epoch", model.provenance().getOrDefault("best_epoch", result.epochs().size()));
            summary.put("users", train.size());
            summary.put("items", catalog.size());
            summary.put("item_feature_width", model.featureWidth());
            summary.put("checkpoint", checkpoint.toString());
            summary.put("settings", settings);
            model.save(checkpoint);
            Json.writePretty(summaryFile, summary);
            System.out.print(Json.pretty(summary));
        }
        return 0;
    }

    /** The epochs of a quick run ({@code pipeline --quick}, {@code ablation --quick}). */
    static final int QUICK_EPOCHS = 4;

    /**
     * The command line of a run in {@code workDir} at {@code seed}, as {@code pipeline} and {@code ablation} start it:
     * {@link #QUICK_EPOCHS} epochs when {@code quick}, then {@code extra}.
     */
    static String[] commandLine(String workDir, long seed, boolean quick, List<String> extra) {
        List<String> out = new java.util.ArrayList<>(List.of(NAME, "--work-dir", workDir, "--seed",
                Long.toString(seed)));
        if (quick) {
            out.addAll(List.of("--epochs", Integer.toString(QUICK_EPOCHS)));
        }
        out.addAll(extra);
        return out.toArray(String[]::new);
    }

    /** The model {@code --item-features kind} trains: {@code sasrec} for none, {@code sasrec-content} otherwise. */
    static String modelName(String kind) {
        return kind == null || "none".equals(kind.strip().toLowerCase(java.util.Locale.ROOT)) ? "sasrec"
                : CONTENT_MODEL;
    }

    /** The directory under the work directory that holds model {@code model}'s summary, metrics and logs. */
    static String runName(String model) {
        return "sasrec".equals(model) ? NAME : "train-" + model;
    }

    /** {@code --item-features}, checked. */
    private String featureKind() {
        String f = itemFeatures == null ? "none" : itemFeatures.strip().toLowerCase(java.util.Locale.ROOT);
        if (!java.util.Set.of("none", "attributes", "facets").contains(f)) {
            throw new IllegalArgumentException("--item-features must be none, attributes or facets, got '"
                    + itemFeatures + "'.");
        }
        return f;
    }

    /** The side features {@code --item-features} asks for, by item id (empty for none). */
    private Map<Integer, float[]> itemFeatures(dev.mllmrec.api.Catalog catalog) {
        String f = featureKind();
        if ("none".equals(f)) {
            return Map.of();
        }
        Map<Integer, float[]> out = ItemFacets.byItem(catalog, "facets".equals(f));
        System.err.println(out.isEmpty()
                ? "train-sasrec: --item-features " + f + ": the catalog has no genres, years or posters; training on "
                        + "item ids only."
                : "train-sasrec: item features '" + f + "', " + out.values().iterator().next().length
                        + " values per item.");
        return out;
    }

    private static Map<String, Double> validate(SasRecModel model, List<RecommendationSample> validation) {
        List<dev.mllmrec.api.RankingRequest> requests = validation.stream().map(RecommendationSample::request)
                .toList();
        return HoldOut.metrics(validation, new SasRecRecommender(model).rankAll(requests));
    }

    private Map<String, Object> settings(SasRecConfig config) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("config", config);
        s.put("patience", patience);
        if (!"HR@3".equals(validationMetric)) {
            s.put("validation_metric", validationMetric); // absent for the default, so earlier runs still match
        }
        s.put("validation_negatives", validationNegatives);
        String features = featureKind();
        if (!"none".equals(features)) {
            s.put("item_features", features); // absent for the default, so earlier runs still match
        }
        return s;
    }

    /** Whether the summary records these exact settings and the checkpoint it names is whole and intact. */
    private static boolean finished(Path summaryFile, Path checkpoint, Map<String, Object> settings) {
        if (!Files.isRegularFile(summaryFile) || !Files.isRegularFile(checkpoint.resolve("checkpoint.json"))) {
            return false;
        }
        if (!CheckpointDigest.isIntact(checkpoint)) {
            System.err.println("train-sasrec: " + checkpoint + " fails its checksums; training again.");
            return false;
        }
        JsonNode recorded = Json.read(summaryFile, JsonNode.class).get("settings");
        try {
            // Both sides parsed from text, so numbers compare as the same node types.
            return Json.mapper().readTree(Json.line(settings)).equals(recorded);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot compare settings: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
