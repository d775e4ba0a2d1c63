package dev.mllmrec.core.sasrec;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.optim.Adam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Trains a {@link SasRecModel} on users' training sequences with Adam, under the config's {@link SasRecLoss}: the
 * paper's binary cross-entropy of the next item against {@link SasRecConfig#negatives()} items sampled uniformly
 * from the items the user has not interacted with (in the training sequence), or a full-softmax cross-entropy over
 * the vocabulary.
 *
 * <p>The caller passes training prefixes only (each user's chronological items without the validation and test
 * targets); the trainer never sees held-out targets. Each user's sequence is cut into windows of
 * {@link SasRecConfig#maxLength()} items ending every {@link SasRecConfig#windowStride()} items from its end (the
 * {@link SasRecConfig#windowsPerUser()} most recent of them when that is positive).
 * Everything random (initialisation, window order, negatives, dropout) follows {@link SasRecConfig#seed()}, so the
 * same data and config give the same model on the same machine and thread count; dropout draws from the PyTorch
 * engine's global generator, which {@code train} re-seeds.
 *
 * <p>Not thread-safe, and only one DJL PyTorch training may run per JVM at a time (the engine's gradient collector is
 * process-wide). Each step runs in its own {@link NDManager} scope, so memory stays flat.
 */
public final class SasRecTrainer {

    private final SasRecConfig config;
    private final Path metricsFile;
    private final List<SasRecListener> listeners;
    private final SasRecValidator validator;
    private final String earlyStopMetric;
    private final int patience;

    private SasRecTrainer(Builder b) {
        this.config = b.config;
        this.metricsFile = b.metricsFile;
        List<SasRecListener> all = new ArrayList<>(b.listeners);
        if (b.progress) {
            all.add(new SasRecProgressListener());
        }
        this.listeners = List.copyOf(all);
        this.validator = b.validator;
        this.earlyStopMetric = b.earlyStopMetric;
        this.patience = b.patience;
    }

    /** A builder; every setting has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The config this trainer uses. */
    public SasRecConfig config() {
        return config;
    }

    /**
     * Trains a new model whose vocabulary is the items of {@code trainingSequences}.
     *
     * @see #train(List, Collection)
     */
    public SasRecTrainingResult train(List<UserHistory> trainingSequences) {
        Set<Integer> items = new LinkedHashSet<>();
        for (UserHistory h : trainingSequences) {
            items.addAll(h.items());
        }
        return train(trainingSequences, items);
    }

    /**
     * Trains a new model.
     *
     * @param trainingSequences each user's training prefix, oldest first (validation and test targets removed)
     * @param itemUniverse      the vocabulary and the pool negatives are drawn from; must contain every item of the
     *                          sequences (items never seen as positives only ever appear as negatives)
     * @throws IllegalArgumentException when no sequence has two items or an item is missing from the universe
     */
    public SasRecTrainingResult train(List<UserHistory> trainingSequences, Collection<Integer> itemUniverse) {
        return train(trainingSequences, itemUniverse, Map.of());
    }

    /**
     * Trains a new content-aware model: each item's embedding is its id embedding plus a learnt linear map of its
     * fixed side features ({@link SasRecModel#create(SasRecConfig, Collection, Map)}); with no features it is
     * {@link #train(List, Collection)}.
     *
     * @param itemFeatures the side features by item id, all of one width (items without an entry get zeros)
     */
    public SasRecTrainingResult train(List<UserHistory> trainingSequences, Collection<Integer> itemUniverse,
                                      Map<Integer, float[]> itemFeatures) {
        Objects.requireNonNull(trainingSequences, "trainingSequences");
        SasRecModel model = SasRecModel.create(config, itemUniverse, itemFeatures);
        try {
            return run(model, trainingSequences);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ windows

    /** One training window: inputs, positive targets (0 = masked), and the user's item set for negatives. */
    private record Window(long[] input, long[] positive, int[] seen) {
    }

    private List<Window> windows(SasRecModel model, List<UserHistory> sequences) {
        int len = config.maxLength();
        List<Window> out = new ArrayList<>();
        for (UserHistory h : sequences) {
            int n = h.size();
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = model.indexOf(h.items().get(i));
                if (idx[i] == 0) {
                    throw new IllegalArgumentException("Item " + h.items().get(i) + " of user " + h.userId()
                            + " is not in the item universe given to the SASRec trainer.");
                }
            }
            int[] seen = Arrays.stream(idx).distinct().sorted().toArray();
            int cap = config.windowsPerUser() == 0 ? Integer.MAX_VALUE : config.windowsPerUser();
            for (int end = n - 1, made = 0; end >= 1 && made < cap; end -= config.windowStride(), made++) {
                long[] input = new long[len];
                long[] positive = new long[len];
                for (int p = len - 1, t = end; p >= 0 && t >= 1; p--, t--) {
                    positive[p] = idx[t];
                    input[p] = idx[t - 1];
                }
                out.add(new Window(input, positive, seen));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("SASRec needs at least one training sequence with two items; got "
                    + sequences.size() + " sequences.");
        }
        return out;
    }

    // ------------------------------------------------------------------ training loop

    private SasRecTrainingResult run(SasRecModel model, List<UserHistory> sequences) {
        long start = System.nanoTime();
        List<Window> windows = windows(model, sequences);
        int stepsPerEpoch = (windows.size() + config.batchSize() - 1) / config.batchSize();
        Random rnd = new Random(config.seed());
        Engine.getEngine("PyTorch").setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
        for (NDArray p : model.parameters().values()) {
            p.setRequiresGradient(true);
        }
        List<SasRecEpoch> epochs = new ArrayList<>();
        int step = 0;
        double lastLoss = Double.NaN;
        double best = Double.NEGATIVE_INFINITY;
        Map<String, float[]> bestWeights = null;
        int bestEpoch = 0;
        int sinceBest = 0;
        JsonLines.Appender metrics = metricsFile == null ? null : JsonLines.appender(metricsFile);
        float learningRate = config.learningRate();
        for (SasRecListener l : listeners) {
            l.onTrainingStart(new SasRecListener.Start(model.parameterCount(), windows.size(),
                    (long) stepsPerEpoch * config.epochs()));
        }
        try (Adam adam = Adam.adam(model.parameters(), model.manager(), 0.9, 0.98, 1e-8)) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                List<Window> order = new ArrayList<>(windows);
                java.util.Collections.shuffle(order, rnd);
                double lossSum = 0;
                for (int from = 0; from < order.size(); from += config.batchSize()) {
                    List<Window> batch = order.subList(from, Math.min(order.size(), from + config.batchSize()));
                    if (config.cosineDecay()) {
                        learningRate = learningRate(step, (long) stepsPerEpoch * config.epochs());
                    }
                    double loss = step(model, adam, learningRate, batch, rnd);
                    step++;
                    lossSum += loss;
                    for (SasRecListener l : listeners) {
                        l.onStep(new SasRecListener.Step(step, epoch, loss, learningRate));
                    }
                }
                lastLoss = lossSum / stepsPerEpoch;
                Map<String, Double> validation = validator == null ? Map.of() : validator.validate(model, epoch);
                SasRecEpoch record = new SasRecEpoch(epoch, step, lastLoss, (System.nanoTime() - start) / 1e9,
                        validation);
                epochs.add(record);
                if (metrics != null) {
                    metrics.append(record);
                }
                boolean stop = false;
                for (SasRecListener l : listeners) {
                    l.onEpochEnd(record);
                    stop |= l.shouldStop();
                }
                if (earlyStopMetric != null) {
                    Double value = validation.get(earlyStopMetric);
                    if (value == null) {
                        throw new IllegalStateException("Early stopping watches '" + earlyStopMetric
                                + "' but the validator returned only " + validation.keySet() + ".");
                    }
                    if (value > best) {
                        best = value;
                        bestEpoch = epoch;
                        bestWeights = snapshot(model);
                        sinceBest = 0;
                    } else if (++sinceBest >= patience) {
                        stop = true;
                    }
                }
                if (stop) {
                    break;
                }
            }
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        for (NDArray p : model.parameters().values()) {
            p.setRequiresGradient(false);
        }
        if (bestWeights != null) {
            model.restore(bestWeights);
            model.putProvenance("best_epoch", bestEpoch);
            model.putProvenance("best_" + earlyStopMetric, best);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        model.putProvenance("trainer", "SasRecTrainer");
        model.putProvenance("sequences", sequences.size());
        model.putProvenance("windows", windows.size());
        model.putProvenance("epochs", epochs.size());
        model.putProvenance("steps", step);
        model.putProvenance("train_loss", lastLoss);
        model.putProvenance("seconds", seconds);
        SasRecTrainingResult result = new SasRecTrainingResult(model, step, seconds, lastLoss, epochs);
        for (SasRecListener l : listeners) {
            l.onTrainingEnd(result);
        }
        return result;
    }

    private double step(SasRecModel model, Adam adam, float learningRate, List<Window> batch, Random rnd) {
        int b = batch.size();
        int len = config.maxLength();
        boolean softmax = config.loss() == SasRecLoss.SOFTMAX_CROSS_ENTROPY;
        int k = softmax ? 0 : config.negatives();
        int numItems = model.numItems();
        long[] input = new long[b * len];
        long[] positive = new long[b * len];
        long[] negative = new long[b * len * k];
        for (int r = 0; r < b; r++) {
            Window w = batch.get(r);
            System.arraycopy(w.input(), 0, input, r * len, len);
            System.arraycopy(w.positive(), 0, positive, r * len, len);
            for (int p = 0; p < len && !softmax; p++) {
                if (w.positive()[p] == 0) {
                    continue;
                }
                for (int j = 0; j < k; j++) {
                    negative[(r * len + p) * k + j] = sampleUnseen(rnd, numItems, w.seen());
                }
            }
        }
        try (NDManager scope = model.manager().newSubManager()) {
            float loss;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray lossArray = softmax ? softmaxLoss(model, scope, input, positive, b)
                        : loss(model, scope, input, positive, negative, b);
                loss = lossArray.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException("SASRec training loss became " + loss + " at step "
                            + (adam.stepCount() + 1) + "; lower the learning rate.");
                }
                collector.backward(lossArray);
            }
            adam.update(learningRate, 1.0); // also zeroes the gradients
            return loss;
        }
    }

    /** The learning rate of step {@code step} (0-based) of {@code total} under the half-cosine decay. */
    float learningRate(int step, long total) {
        return (float) (config.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / total)));
    }

    /** The mean binary cross-entropy of positives and sampled negatives over non-padding positions, plus L2. */
    private NDArray loss(SasRecModel model, NDManager scope, long[] input, long[] positive, long[] negative, int b) {
        int len = config.maxLength();
        NDArray seq = scope.create(input, new Shape(b, len));
        NDArray pos = scope.create(positive, new Shape(b, len));
        NDArray neg = scope.create(negative, new Shape(b, len, config.negatives()));
        SasRecModel.Params params = model.new Params(scope, true);
        NDArray h = model.hidden(scope, seq, true);                                              // (B, L, H)
        NDArray posLogit = model.embed(pos, params).mul(h).sum(new int[] {-1});                 // (B, L)
        NDArray negLogit = model.embed(neg, params).mul(h.expandDims(2)).sum(new int[] {-1});   // (B, L, k)
        NDArray mask = pos.neq(0).toType(DataType.FLOAT32, false);
        NDArray count = mask.sum().maximum(SasRecModel.scalar(scope, 1f));
        NDArray loss = softplus(scope, posLogit.neg()).mul(mask).sum()
                .add(softplus(scope, negLogit).mean(new int[] {-1}).mul(mask).sum())
                .div(count);
        return withL2(loss, params, scope);
    }

    /**
     * The mean full-softmax cross-entropy of each non-padding position's next item over the whole vocabulary, plus
     * L2. Only the positions with a target are projected onto the item embeddings ({@code N x items} logits).
     */
    NDArray softmaxLoss(SasRecModel model, NDManager scope, long[] input, long[] positive, int b) {
        int len = config.maxLength();
        int items = model.numItems();
        int n = 0;
        for (long p : positive) {
            n += p == 0 ? 0 : 1;
        }
        long[] rows = new long[n];
        long[] picks = new long[n];
        for (int i = 0, j = 0; i < positive.length; i++) {
            if (positive[i] != 0) {
                rows[j] = i;
                picks[j] = (long) j * items + positive[i] - 1; // column of the target in the (N, items) logits
                j++;
            }
        }
        NDArray seq = scope.create(input, new Shape(b, len));
        SasRecModel.Params params = model.new Params(scope, true);
        NDArray h = model.hidden(scope, seq, true).reshape(-1, config.hiddenSize());         // (B*L, H)
        NDArray picked = h.get(new NDIndex("{}", scope.create(rows)));   // (N, H)
        NDArray table = model.table(params, true);                                          // (items, H)
        NDArray logits = picked.matMul(table.transpose());                                      // (N, items)
        NDArray loss = logits.logSoftmax(-1).reshape(-1).take(scope.create(picks)).sum().neg()
                .div(SasRecModel.scalar(scope, Math.max(1, n)));
        return withL2(loss, params, scope);
    }

    /** {@code loss} plus the config's L2 penalty on the item embeddings (unchanged when it is 0). */
    private NDArray withL2(NDArray loss, SasRecModel.Params params, NDManager scope) {
        if (config.l2() == 0f) {
            return loss;
        }
        NDArray squares = params.get("item_embedding").square();
        squares.attach(scope); // the op ran on a parameter, so its result landed in the model's manager
        return loss.add(squares.sum().mul(SasRecModel.scalar(scope, config.l2())));
    }

    /** {@code log(1 + exp(x))} without overflow (scalars held by the scope: see {@link SasRecModel#scalar}). */
    private static NDArray softplus(NDManager scope, NDArray x) {
        return x.abs().neg().exp().add(SasRecModel.scalar(scope, 1f)).log().add(Activation.relu(x));
    }

    /** A dense index in {@code [1, numItems]} that is not in the sorted {@code seen}, uniformly. */
    static int sampleUnseen(Random rnd, int numItems, int[] seen) {
        if (seen.length >= numItems) {
            // The user has seen everything; any item is as good a negative as none.
            return 1 + rnd.nextInt(numItems);
        }
        while (true) {
            int c = 1 + rnd.nextInt(numItems);
            if (Arrays.binarySearch(seen, c) < 0) {
                return c;
            }
        }
    }

    private static Map<String, float[]> snapshot(SasRecModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        return out;
    }

    /** Builds a {@link SasRecTrainer}. */
    public static final class Builder {
        private SasRecConfig config = SasRecConfig.defaults();
        private Path metricsFile;
        private final List<SasRecListener> listeners = new ArrayList<>();
        private SasRecValidator validator;
        private String earlyStopMetric;
        private int patience;
        private boolean progress = true;

        private Builder() {
        }

        /** The hyper-parameters (default {@link SasRecConfig#defaults()}). */
        public Builder optConfig(SasRecConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Appends one {@link SasRecEpoch} JSON line per epoch to {@code file} (default: none). */
        public Builder optMetricsFile(Path file) {
            this.metricsFile = file;
            return this;
        }

        /** Adds a listener. */
        public Builder addListener(SasRecListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Validates after every epoch (default: no validation). */
        public Builder optValidator(SasRecValidator validator) {
            this.validator = validator;
            return this;
        }

        /**
         * Stops when the validator's {@code metric} has not improved for {@code patience} epochs and restores the
         * weights of the best epoch (default: train every epoch, keep the last weights). Needs a validator.
         */
        public Builder optEarlyStopping(String metric, int patience) {
            this.earlyStopMetric = Objects.requireNonNull(metric, "metric");
            this.patience = patience;
            return this;
        }

        /**
         * Whether to add a {@link SasRecProgressListener} (default true; it draws only where the host turned
         * {@code ProgressBar.drawOnStandardError} on, as the command line does).
         */
        public Builder optProgress(boolean progress) {
            this.progress = progress;
            return this;
        }

        /**
         * Builds the trainer.
         *
         * @throws IllegalArgumentException when early stopping is asked for without a validator or with a
         *                                  non-positive patience
         */
        public SasRecTrainer build() {
            if (earlyStopMetric != null && validator == null) {
                throw new IllegalArgumentException("Early stopping on '" + earlyStopMetric
                        + "' needs a validator; set one with optValidator.");
            }
            if (earlyStopMetric != null && patience <= 0) {
                throw new IllegalArgumentException("Early-stopping patience must be positive, got " + patience + ".");
            }
            return new SasRecTrainer(this);
        }
    }
}
