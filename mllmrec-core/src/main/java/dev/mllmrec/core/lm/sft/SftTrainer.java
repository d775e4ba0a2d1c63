package dev.mllmrec.core.lm.sft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.Dropout;
import dev.mllmrec.core.lm.Scalars;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.optim.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised fine-tuning of a {@link TrainablePolicy} (the built-in {@code CausalLm}, or a pretrained
 * {@code HfDecoder} whose LoRA adapters alone train) on {@link SftExample}s: next-token cross-entropy on the answer
 * tokens (or the whole sequence), AdamW with linear warm-up and cosine or linear decay, global-norm gradient
 * clipping, gradient accumulation, length-bucketed padded batches, and one {@link NDManager} scope per step so
 * memory stays flat. With a checkpoint directory it saves checkpoints periodically and at epoch ends, and a new
 * trainer over the same directory resumes from the newest one exactly: same data order, same weights and
 * optimizer moments, same learning rate, so the final weights equal those of an uninterrupted run bit for bit on
 * the same machine and thread count.
 *
 * <p>Not thread-safe; one run at a time per JVM (PyTorch's gradient recording is global).
 */
public final class SftTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SftTrainer.class);
    /** Separates the dropout masks' random stream from the data order's. */
    private static final long DROPOUT_STREAM = 0x6D2B79F5D1B54A32L;
    /** Separates the sampled negatives' random stream from the others. */
    private static final long NEGATIVE_STREAM = 0x3C6EF372FE94F82BL;
    /** Draws per negative before an excluded token is accepted anyway. */
    private static final int MAX_NEGATIVE_TRIES = 64;

    private final TrainablePolicy model;
    private final TextTokenizer tokenizer;
    private final SftConfig config;
    private final Path checkpointDir;
    private final Path metricsFile;
    private final SftValidator validator;
    private final List<SftListener> listeners;
    private final int[] negativePool;
    /** Whether each token id is in {@link #negativePool} (null without a pool). */
    private final boolean[] poolMember;
    /** The pool's distinct tokens in ascending order (null without a pool), for {@link SftConfig#ALL_POOL}. */
    private final int[] sortedPool;
    private final long[] sortedPoolLongs;
    private volatile boolean stopRequested;

    private SftTrainer(Builder b) {
        this.model = b.model;
        this.tokenizer = b.tokenizer;
        this.config = b.config;
        this.checkpointDir = b.checkpointDir;
        this.metricsFile = b.metricsFile;
        this.validator = b.validator;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        this.negativePool = b.negativePool;
        if (negativePool == null) {
            this.poolMember = null;
            this.sortedPool = null;
            this.sortedPoolLongs = null;
        } else {
            this.sortedPool = Arrays.stream(negativePool).distinct().sorted().toArray();
            this.sortedPoolLongs = Arrays.stream(sortedPool).asLongStream().toArray();
            int size = Math.max(b.model.vocabSize(), Arrays.stream(negativePool).max().orElse(0) + 1);
            this.poolMember = new boolean[size];
            for (int t : negativePool) {
                poolMember[t] = true;
            }
        }
    }

    /** A builder; {@code setModel} and {@code setTokenizer} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Asks the running {@link #train} to return after the current optimizer step (no checkpoint is added). */
    public void requestStop() {
        stopRequested = true;
    }

    /** The settings. */
    public SftConfig config() {
        return config;
    }

    /**
     * Trains on {@code examples} (resuming from the newest checkpoint when there is one) and returns the summary.
     *
     * @throws IllegalStateException when the checkpoint was written for another model shape or other data
     */
    public SftResult train(List<SftExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("SFT needs at least one training example.");
        }
        stopRequested = false;
        SftData data = SftData.tokenize(examples, tokenizer, config, model.contextLength());
        int batchesPerEpoch = data.batchesPerEpoch();
        long stepsPerEpoch = (batchesPerEpoch + config.gradientAccumulation() - 1) / config.gradientAccumulation();
        long totalSteps = stepsPerEpoch * config.epochs();
        long warmup = (long) Math.floor(config.warmupFraction() * totalSteps);

        SeededRandom rng = new SeededRandom(config.seed());
        Run run = new Run();
        run.epochRngState = rng.state();
        boolean resumed = false;
        try (Adam optimizer = Adam.adamW(model.parameters(), model.manager(), config.beta1(), config.beta2(),
                config.epsilon(), config.weightDecay())) {
            optimizer.zeroGradients();
            if (checkpointDir != null) {
                SftCheckpoint.removeStale(checkpointDir);
                Optional<Path> latest = SftCheckpoint.latest(checkpointDir);
                if (latest.isPresent()) {
                    resume(latest.get(), data, optimizer, run);
                    resumed = true;
                }
            }
            if (metricsFile != null) {
                trimMetrics(metricsFile, run.step);
            }
            for (SftListener l : listeners) {
                l.onTrainingStart(new SftListener.Start(model.parameterCount(), examples.size(), totalSteps, run.step,
                        resumed));
            }
            try (JsonLines.Appender metrics = metricsFile == null ? null : JsonLines.appender(metricsFile)) {
                loop(data, optimizer, rng, run, totalSteps, warmup, metrics);
            }
        }
        boolean completed = run.epoch >= config.epochs();
        double trainLoss = !Double.isNaN(run.lastEpochLoss) ? run.lastEpochLoss
                : run.epochLossTokens > 0 ? run.epochLossSum / run.epochLossTokens : Double.NaN;
        SftResult result = new SftResult(model.parameterCount(), run.step, totalSteps, run.epoch, trainLoss,
                run.seconds > 0 ? run.tokensSeen / run.seconds : 0, run.validation, run.seconds, resumed, completed);
        for (SftListener l : listeners) {
            l.onTrainingEnd(result);
        }
        return result;
    }

    /** The mutable position of a run. */
    private static final class Run {
        long step;
        int epoch;
        int batchInEpoch;
        long epochRngState;
        double epochLossSum;
        long epochLossTokens;
        double lastEpochLoss = Double.NaN;
        long tokensSeen;
        double seconds;
        Map<String, Double> validation = Map.of();
    }

    private void loop(SftData data, Adam optimizer, SeededRandom rng, Run run, long totalSteps, long warmup,
                      JsonLines.Appender metrics) {
        double windowLoss = 0;
        long windowTokens = 0;
        long windowRealTokens = 0;
        double windowSeconds = 0;
        while (run.epoch < config.epochs()) {
            rng.setState(run.epochRngState);
            List<int[]> plan = data.plan(rng);
            long nextEpochRngState = rng.state();
            while (run.batchInEpoch < plan.size()) {
                if (stopRequested) {
                    return;
                }
                int groupEnd = Math.min(plan.size(), run.batchInEpoch + config.gradientAccumulation());
                List<int[]> group = plan.subList(run.batchInEpoch, groupEnd);
                long t0 = System.nanoTime();
                long step = run.step + 1;
                double lr = config.schedule().rate(step, totalSteps, warmup, config.learningRate(),
                        config.minLrRatio());
                StepOutcome out = trainStep(data, group, optimizer, lr, step);
                double secs = (System.nanoTime() - t0) / 1e9;
                run.step = step;
                run.batchInEpoch = groupEnd;
                run.epochLossSum += out.lossSum;
                run.epochLossTokens += out.targetTokens;
                run.tokensSeen += out.realTokens;
                run.seconds += secs;
                windowLoss += out.lossSum;
                windowTokens += out.targetTokens;
                windowRealTokens += out.realTokens;
                windowSeconds += secs;
                SftListener.Step event = new SftListener.Step(step, run.epoch, out.lossSum / out.targetTokens, lr,
                        out.gradNorm, out.realTokens, out.realTokens / Math.max(secs, 1e-9));
                for (SftListener l : listeners) {
                    l.onStep(event);
                }
                if (metrics != null && (step % config.logEverySteps() == 0 || step == totalSteps)) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step);
                    line.put("epoch", run.epoch);
                    line.put("loss", windowLoss / windowTokens);
                    line.put("lr", lr);
                    line.put("grad_norm", out.gradNorm);
                    line.put("tokens_per_second", windowRealTokens / Math.max(windowSeconds, 1e-9));
                    line.put("seconds", run.seconds);
                    metrics.append(line);
                    windowLoss = 0;
                    windowTokens = 0;
                    windowRealTokens = 0;
                    windowSeconds = 0;
                }
                boolean epochDone = run.batchInEpoch == plan.size();
                if (!epochDone && config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0) {
                    checkpoint(data, optimizer, run, totalSteps);
                }
            }
            run.lastEpochLoss = run.epochLossSum / Math.max(1, run.epochLossTokens);
            int finished = run.epoch;
            if (validator != null) {
                run.validation = java.util.Collections.unmodifiableMap(
                        new java.util.TreeMap<>(validator.validate(model, finished)));
                LOG.info("SFT epoch {}: train loss {}, validation {}", finished, run.lastEpochLoss, run.validation);
            }
            if (metrics != null) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("step", run.step);
                line.put("epoch_end", finished);
                line.put("train_loss", run.lastEpochLoss);
                line.put("validation", run.validation);
                metrics.append(line);
            }
            SftListener.Epoch epochEvent = new SftListener.Epoch(finished, run.step, run.lastEpochLoss,
                    run.validation);
            run.epoch++;
            run.batchInEpoch = 0;
            run.epochLossSum = 0;
            run.epochLossTokens = 0;
            run.epochRngState = nextEpochRngState;
            for (SftListener l : listeners) {
                l.onEpochEnd(epochEvent);
            }
            checkpoint(data, optimizer, run, totalSteps);
        }
    }

    private record StepOutcome(double lossSum, long targetTokens, long realTokens, double gradNorm) {
    }

    /** Forward and backward over each micro-batch of the group, then one clipped AdamW update. */
    @SuppressWarnings("try")
    private StepOutcome trainStep(SftData data, List<int[]> group, Adam optimizer, double lr, long stepNumber) {
        long targets = 0;
        for (int[] batch : group) {
            targets += data.targetTokens(batch);
        }
        double lossSum = 0;
        long real = 0;
        try (NDManager step = model.manager().newSubManager(); NDScope scope = new NDScope()) {
            int micro = 0;
            for (int[] batch : group) {
                int microIndex = micro++;
                Dropout dropout = config.dropout() > 0 ? new Dropout(config.dropout(),
                        SeededRandom.mix(SeededRandom.mix(config.seed() ^ DROPOUT_STREAM, stepNumber), microIndex))
                        : null;
                SeededRandom negatives = new SeededRandom(
                        SeededRandom.mix(SeededRandom.mix(config.seed() ^ NEGATIVE_STREAM, stepNumber), microIndex));
                MicroOutcome mo = microBatch(step, data, batch, targets, dropout, negatives);
                lossSum += mo.lossSum;
                real += mo.realTokens;
            }
            double norm = optimizer.gradientNorm();
            double scale = config.maxGradNorm() > 0 && norm > config.maxGradNorm()
                    ? config.maxGradNorm() / (norm + 1e-6) : 1.0;
            if (!Double.isFinite(norm)) {
                throw new IllegalStateException("The gradient norm is " + norm + " at a learning rate of " + lr
                        + ": training diverged; lower the learning rate.");
            }
            optimizer.update(lr, scale);
            return new StepOutcome(lossSum, targets, real, norm);
        }
    }

    private record MicroOutcome(double lossSum, long realTokens) {
    }

    /** One micro-batch: right-padded tokens, loss on the target positions only, gradients accumulated. */
    private MicroOutcome microBatch(NDManager step, SftData data, int[] batch, long groupTargets,
                                    Dropout dropout, SeededRandom negatives) {
        int b = batch.length;
        int longest = 0;
        for (int i : batch) {
            longest = Math.max(longest, data.sequences[i].length);
        }
        int pad = Math.max(0, tokenizer.specialTokens().pad());
        int v = model.vocabSize();
        long[] tokens = new long[b * longest];
        int n = (int) data.targetTokens(batch);
        long[] gather = new long[n];
        long[] flatTargets = new long[n];
        int[] targetTokens = new int[n];
        int[] rowOf = new int[n];
        long real = 0;
        int k = 0;
        for (int r = 0; r < b; r++) {
            int[] seq = data.sequences[batch[r]];
            real += seq.length;
            for (int t = 0; t < longest; t++) {
                tokens[r * longest + t] = t < seq.length ? seq[t] : pad;
            }
            for (int t = data.lossStart[batch[r]]; t < seq.length; t++) {
                gather[k] = (long) r * longest + t - 1;
                flatTargets[k] = (long) k * v + seq[t];
                targetTokens[k] = seq[t];
                rowOf[k] = r;
                k++;
            }
        }
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector();
             TrainablePolicy.ForwardPass pass = model.forwardPass(step)) {
            NDArray hidden = model.hidden(step.create(tokens, new Shape(b, longest)), null, null, null, dropout);
            NDArray rows = hidden.reshape(b * longest, -1).get(new NDIndex("{}", step.create(gather)));
            int kNeg = config.sampledNegatives();
            boolean sharedText = config.textNegatives() > 0;
            // Three kinds of target. ITEM: an item target of an open-ended example (an item-sequence window) gets a
            // sampled softmax over itself and k uniform draws from the pool (never the target), column 0 holding
            // the target. SHARED: any other target of an open-ended example (the separators between a window's
            // items) joins one softmax shared by the micro-batch over its distinct targets plus m uniform draws.
            // FULL: every target of a complete answer, whose distribution over the whole vocabulary generation
            // samples from, keeps the full softmax.
            int[] itemIdx = new int[n];
            int[] sharedIdx = new int[n];
            int[] fullIdx = new int[n];
            int items = 0;
            int shared = 0;
            int full = 0;
            for (int i = 0; i < n; i++) {
                boolean open = data.openEnded[batch[rowOf[i]]];
                if (open && kNeg != 0 && inPool(targetTokens[i])) {
                    itemIdx[items++] = i;
                } else if (open && sharedText) {
                    sharedIdx[shared++] = i;
                } else {
                    fullIdx[full++] = i;
                }
            }
            NDArray nll = null;
            NDArray itemRows = items > 0 ? subset(step, rows, itemIdx, items, n) : null;
            if (items > 0 && kNeg == SftConfig.ALL_POOL) {
                nll = poolSoftmaxNll(step, itemRows, itemIdx, items, targetTokens);
            } else if (items > 0) {
                long[] choices = new long[items * (kNeg + 1)];
                for (int ii = 0; ii < items; ii++) {
                    int i = itemIdx[ii];
                    int target = targetTokens[i];
                    choices[ii * (kNeg + 1)] = target;
                    int[] seen = data.notNegatives[batch[rowOf[i]]];
                    for (int j = 1; j <= kNeg; j++) {
                        int tok;
                        int tries = 0;
                        do {
                            tok = negativePool[negatives.nextInt(negativePool.length)];
                            // A user who has seen (nearly) the whole pool still gets negatives, just not unseen ones.
                        } while (tok == target || (++tries < MAX_NEGATIVE_TRIES
                                && Arrays.binarySearch(seen, tok) >= 0));
                        choices[ii * (kNeg + 1) + j] = tok;
                    }
                }
                NDArray sampled = model.logitsOf(itemRows, step.create(choices, new Shape(items, kNeg + 1)));
                nll = sampled.logSoftmax(-1).get(new NDIndex(":, 0")).sum().neg();
                if (config.poolSoftmaxWeight() > 0) {
                    // Column 0 holds each target's own logit: the exact term needs only the pool's log-sum-exp.
                    NDArray targetLogits = sampled.get(new NDIndex(":, 0"));
                    NDArray pool = model.logitsOver(itemRows, step.create(sortedPoolLongs));
                    // Scalars.mul, never DJL's mul(Number): PyTorch keeps the weight for the backward pass, and
                    // DJL frees its temporary scalar as soon as the forward op returns (see Scalars).
                    nll = nll.add(Scalars.mul(logSumExp(pool).sub(targetLogits).sum(),
                            (float) config.poolSoftmaxWeight()));
                }
            }
            if (shared > 0) {
                int[] targetsOf = new int[shared];
                for (int j = 0; j < shared; j++) {
                    targetsOf[j] = targetTokens[sharedIdx[j]];
                }
                nll = plus(nll, sharedSampledNll(step, subset(step, rows, sharedIdx, shared, n), targetsOf, negatives));
            }
            if (full > 0) {
                long[] flat = new long[full];
                for (int j = 0; j < full; j++) {
                    flat[j] = (long) j * v + targetTokens[fullIdx[j]];
                }
                nll = plus(nll, fullSoftmaxNll(step, subset(step, rows, fullIdx, full, n), flat));
            }
            gc.backward(dev.mllmrec.core.lm.Scalars.div(nll, (float) groupTargets));
            return new MicroOutcome(nll.getFloat(), real);
        }
    }

    /**
     * The summed negative log-likelihood of the item targets {@code targetTokens[itemIdx[0..items)]} under the exact
     * softmax over every token of the negative pool ({@link SftConfig#ALL_POOL}); {@code itemRows} are their hidden
     * states.
     */
    private NDArray poolSoftmaxNll(NDManager step, NDArray itemRows, int[] itemIdx, int items, int[] targetTokens) {
        long[] column = new long[items];
        for (int ii = 0; ii < items; ii++) {
            column[ii] = Arrays.binarySearch(sortedPool, targetTokens[itemIdx[ii]]);
        }
        // Not logSoftmax(-1).take(flat): the backward of a flat take over the (targets x pool) matrix is an
        // accumulating scatter into a matrix of that size; with it the pre-training step with 2,943 items took 1.26
        // times PyTorch's cross-entropy step, without it 0.99 (docs/performance.md).
        NDArray logits = model.logitsOver(itemRows, step.create(sortedPoolLongs));
        NDArray targetLogits = logits.gather(step.create(column, new Shape(items, 1)), 1).reshape(items);
        return logSumExp(logits).sub(targetLogits).sum();
    }

    /**
     * The log-sum-exp of each row of {@code logits (n, m)}, {@code (n)}: the row maximum (a constant to autograd)
     * taken out before the exponentials, so that large logits do not overflow.
     */
    static NDArray logSumExp(NDArray logits) {
        NDArray max = logits.max(new int[] {1}, true).stopGradient();
        return logits.sub(max).exp().sum(new int[] {1}).log().add(max.reshape(max.getShape().get(0)));
    }

    /** The rows {@code idx[0..count)} of {@code rows} (all {@code n} of them: {@code rows} itself). */
    private static NDArray subset(NDManager step, NDArray rows, int[] idx, int count, int n) {
        if (count == n) {
            return rows;
        }
        long[] pick = new long[count];
        for (int i = 0; i < count; i++) {
            pick[i] = idx[i];
        }
        return rows.get(new NDIndex("{}", step.create(pick)));
    }

    private static NDArray plus(NDArray sum, NDArray term) {
        return sum == null ? term : sum.add(term);
    }

    /** The summed negative log-likelihood of {@code rows} under the full softmax; targets index the flat logits. */
    private NDArray fullSoftmaxNll(NDManager step, NDArray rows, long[] flatTargets) {
        return model.logits(rows).logSoftmax(-1).take(step.create(flatTargets)).sum().neg();
    }

    /**
     * The summed negative log-likelihood of {@code rows} under one softmax shared by all of them over the candidate
     * set {@code C}: every distinct target of these rows plus {@link SftConfig#textNegatives()} distinct tokens drawn
     * uniformly from the rest of the vocabulary (fewer when the vocabulary is smaller). Its cost is
     * {@code rows x |C|}, whatever the vocabulary.
     */
    private NDArray sharedSampledNll(NDManager step, NDArray rows, int[] targets, SeededRandom negatives) {
        int v = model.vocabSize();
        int[] distinct = Arrays.stream(targets).distinct().sorted().toArray();
        int extra = Math.min(config.textNegatives(), v - distinct.length);
        java.util.BitSet taken = new java.util.BitSet(v);
        for (int t : distinct) {
            taken.set(t);
        }
        long[] candidates = new long[distinct.length + extra];
        for (int i = 0; i < distinct.length; i++) {
            candidates[i] = distinct[i];
        }
        int filled = distinct.length;
        if (extra >= v - distinct.length) {
            for (int t = taken.nextClearBit(0); t < v; t = taken.nextClearBit(t + 1)) {
                candidates[filled++] = t;
            }
        } else {
            while (filled < candidates.length) {
                int t = negatives.nextInt(v);
                if (!taken.get(t)) {
                    taken.set(t);
                    candidates[filled++] = t;
                }
            }
        }
        long[] flat = new long[targets.length];
        for (int i = 0; i < targets.length; i++) {
            flat[i] = (long) i * candidates.length + Arrays.binarySearch(distinct, targets[i]);
        }
        return model.logitsOver(rows, step.create(candidates)).logSoftmax(-1).take(step.create(flat))
                .sum().neg();
    }

    private boolean inPool(int token) {
        return token >= 0 && token < poolMember.length && poolMember[token];
    }

    private void checkpoint(SftData data, Adam optimizer, Run run, long totalSteps) {
        if (checkpointDir == null) {
            return;
        }
        SftState state = new SftState(run.step, run.epoch, run.batchInEpoch, run.epochRngState, run.epochLossSum,
                run.epochLossTokens, run.lastEpochLoss, run.tokensSeen, run.seconds, totalSteps, data.fingerprint,
                data.size(), run.validation, config, model.lmConfig(), model.signature());
        Path dir = SftCheckpoint.save(checkpointDir, model, tokenizer, optimizer, state, config.keepCheckpoints());
        for (SftListener l : listeners) {
            l.onCheckpoint(dir, run.step);
        }
    }

    private void resume(Path checkpoint, SftData data, Adam optimizer, Run run) {
        SftState state = SftCheckpoint.readState(checkpoint);
        boolean fits = state.policy() != null ? state.policy().equals(model.signature())
                : state.model() != null && state.model().equals(model.lmConfig());
        if (!fits) {
            throw new IllegalStateException("Checkpoint " + checkpoint + " was written for "
                    + (state.policy() != null ? state.policy() : state.model()) + " but the model is "
                    + model.signature() + ".");
        }
        if (state.dataFingerprint() != data.fingerprint || state.examples() != data.size()) {
            throw new IllegalStateException("Checkpoint " + checkpoint + " was written for other training data ("
                    + state.examples() + " examples); delete the checkpoint directory to start over.");
        }
        if (!state.config().equals(config)) {
            LOG.warn("Resuming {} with different SFT settings than it was written with: {} (was {}).", checkpoint,
                    config, state.config());
        }
        model.loadTrainable(checkpoint);
        optimizer.restore(SftCheckpoint.readOptimizer(checkpoint, state.step()));
        run.step = state.step();
        run.epoch = state.epoch();
        run.batchInEpoch = state.batchInEpoch();
        run.epochRngState = state.epochRngState();
        run.epochLossSum = state.epochLossSum();
        run.epochLossTokens = state.epochLossTokens();
        run.lastEpochLoss = state.lastEpochLoss();
        run.tokensSeen = state.tokensSeen();
        run.seconds = state.seconds();
        run.validation = state.validation();
        LOG.info("Resuming SFT from {} at step {} (epoch {}, batch {}).", checkpoint, run.step, run.epoch,
                run.batchInEpoch);
    }

    /** Drops metrics lines written after {@code step} by a run that was killed after its last checkpoint. */
    private static void trimMetrics(Path file, long step) {
        if (!Files.exists(file)) {
            return;
        }
        List<JsonNode> lines = JsonLines.read(file, JsonNode.class);
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode line : lines) {
            JsonNode s = line.get("step");
            if (s != null && s.isNumber() && s.asLong() <= step) {
                kept.add(line);
            }
        }
        if (kept.size() != lines.size()) {
            JsonLines.write(file, kept);
        }
    }

    /** Builds an {@link SftTrainer}. */
    public static final class Builder {
        private TrainablePolicy model;
        private TextTokenizer tokenizer;
        private SftConfig config = SftConfig.builder().build();
        private Path checkpointDir;
        private Path metricsFile;
        private SftValidator validator;
        private final List<SftListener> listeners = new ArrayList<>();
        private int[] negativePool;

        private Builder() {
        }

        /**
         * The model to train in place (required; the trainer does not close it): its {@code parameters()} are
         * trained, which for a pretrained decoder with LoRA adapters are the adapters alone.
         */
        public Builder setModel(TrainablePolicy m) {
            model = m;
            return this;
        }

        /** The model's tokenizer (required; saved in checkpoints). */
        public Builder setTokenizer(TextTokenizer t) {
            tokenizer = t;
            return this;
        }

        /** The settings (default {@code SftConfig.builder().build()}). */
        public Builder optConfig(SftConfig c) {
            config = Objects.requireNonNull(c, "config");
            return this;
        }

        /** Where checkpoints go and are resumed from (default none: no checkpoints). */
        public Builder optCheckpointDir(Path dir) {
            checkpointDir = dir;
            return this;
        }

        /** A JSON Lines file of step metrics (step, epoch, loss, lr, grad_norm, tokens_per_second, seconds). */
        public Builder optMetricsFile(Path file) {
            metricsFile = file;
            return this;
        }

        /** Runs at each epoch end; its metrics are logged and reported. */
        public Builder optValidator(SftValidator v) {
            validator = v;
            return this;
        }

        /** Adds a listener. */
        public Builder addListener(SftListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * The tokens sampled-softmax negatives are drawn from, uniformly (required when the config's
         * {@code sampledNegatives} is positive; typically every item token).
         */
        public Builder optNegativePool(int[] tokens) {
            negativePool = tokens.clone();
            return this;
        }

        /** Validates and builds. */
        public SftTrainer build() {
            if (model == null) {
                throw new IllegalArgumentException("SftTrainer.Builder needs the model to train: call setModel.");
            }
            if (tokenizer == null) {
                throw new IllegalArgumentException("SftTrainer.Builder needs the model's tokenizer: call "
                        + "setTokenizer.");
            }
            if (tokenizer.vocabSize() > model.vocabSize()) {
                throw new IllegalArgumentException("The tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the model only " + model.vocabSize() + ".");
            }
            if (config.sampledNegatives() != 0 && (negativePool == null || negativePool.length < 2)) {
                throw new IllegalArgumentException("A sampled softmax (sampledNegatives " + config.sampledNegatives()
                        + ") needs a negative pool of at least two tokens: call optNegativePool.");
            }
            return new SftTrainer(this);
        }
    }
}
