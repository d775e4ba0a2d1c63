package dev.mllmrec.grpo.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mllmrec.api.GrpoTrainer;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.GradMode;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.grpo.advantage.GroupAdvantage;
import dev.mllmrec.grpo.advantage.GroupAdvantages;
import dev.mllmrec.grpo.loss.DjlPolicyLoss;
import dev.mllmrec.grpo.loss.DjlPolicyLossOutput;
import dev.mllmrec.grpo.loss.LossAggregation;
import dev.mllmrec.grpo.loss.PolicyLossMetrics;
import dev.mllmrec.grpo.reward.ParsedAnswer;
import dev.mllmrec.grpo.reward.RecommendationReward;
import dev.mllmrec.grpo.reward.RewardBatch;
import dev.mllmrec.grpo.reward.WeightedRewards;
import dev.mllmrec.grpo.rollout.GroupRollout;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import dev.mllmrec.grpo.rollout.RankedLists;
import dev.mllmrec.grpo.rollout.RolloutBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group Relative Policy Optimization of a {@link TrainablePolicy} (the built-in {@code CausalLm}, or a pretrained
 * {@code HfDecoder} whose LoRA adapters alone train) on recommendation prompts. Each step draws
 * {@code promptsPerStep} prompts (a seeded shuffle per pass), samples {@code G} completions per prompt
 * ({@link GroupRollout}), scores them ({@link WeightedRewards}, by default the reference
 * {@link RecommendationReward}), turns the rewards into group advantages ({@link GroupAdvantage}), and applies
 * {@code μ} AdamW updates of the clipped-surrogate loss with the k3 KL penalty ({@link DjlPolicyLoss}) to the
 * policy's per-token log-probabilities ({@link PolicyLogProbs}), with gradient accumulation over prompt
 * micro-batches and global-norm clipping. Every step gets its own {@link NDManager}.
 *
 * <p>Outputs: one {@code metrics.jsonl} line per step and per validation; with a checkpoint directory, a
 * {@code latest} checkpoint (periodically, at every validation and at the end) and a {@code best} checkpoint (the
 * best validation by the selection metric, the initial policy included). A new trainer over the same checkpoint
 * directory resumes from {@code latest} exactly: the final weights and the metrics lines (timings aside) equal
 * those of an uninterrupted run bit for bit on the same machine and thread count.
 *
 * <p>Not thread-safe; one run at a time per JVM (PyTorch's gradient recording is global). The trainer does not
 * own the models: the caller closes them.
 */
public final class DefaultGrpoTrainer implements GrpoTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultGrpoTrainer.class);

    /** Metric keys that measure time, which differ between otherwise identical runs. */
    public static final List<String> TIMING_KEYS = List.of("seconds", "step_seconds", "rollout_seconds",
            "reference_seconds", "update_seconds", "rollout_tokens_per_second", "validation_seconds");

    private static final int TREND_WINDOW = 20;
    /** The reward component of a ranked list's credit (logged as {@code rewards/ranked_list/mean}). */
    public static final String RANKED_LIST_REWARD = "ranked_list";
    /**
     * The credit of a target drawn at place 1 of a ranked list before its discount: the reference reward's gap
     * between naming the target (1.0) and another candidate (0.3).
     */
    static final double RANKED_LIST_GAP = 0.7;

    private final TrainablePolicy policy;
    private final PolicyModel reference;
    private final TextTokenizer tokenizer;
    private final GrpoConfig config;
    private final WeightedRewards rewards;
    private final GrpoValidator validator;
    private final PromptBuilder promptBuilder;
    private final Path checkpointDir;
    private final Path metricsFile;
    private final Map<String, String> provenance;
    private final List<GrpoListener> listeners;
    private volatile boolean stopRequested;

    private DefaultGrpoTrainer(Builder b) {
        this.policy = b.policy;
        this.reference = b.reference;
        this.tokenizer = b.tokenizer;
        this.config = b.config;
        this.rewards = b.rewards;
        this.validator = b.validator;
        this.promptBuilder = b.promptBuilder;
        this.checkpointDir = b.checkpointDir;
        this.metricsFile = b.metricsFile;
        this.provenance = Map.copyOf(b.provenance);
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
    }

    /** A builder; the policy and its tokenizer are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings. */
    public GrpoConfig config() {
        return config;
    }

    /** Asks the running {@link #train} to stop after the current step (a {@code latest} checkpoint is written). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains on samples rendered as plain prompts by the builder's {@link PromptBuilder}. Without a configured
     * validator, a {@link CandidateLikelihoodValidator} over {@code validation} is used (none when it is empty).
     *
     * @return {@link GrpoResult#toMetrics()}
     */
    @Override
    public Map<String, Double> train(List<RecommendationSample> train, List<RecommendationSample> validation) {
        if (promptBuilder == null) {
            throw new IllegalStateException("Training on samples needs a PromptBuilder to render their prompts: "
                    + "call optPromptBuilder, or train on GrpoPrompts with train(List<GrpoPrompt>).");
        }
        GrpoValidator v = validator;
        if (v == null && validation != null && !validation.isEmpty()) {
            v = new CandidateLikelihoodValidator(tokenizer, promptBuilder::prompt, validation);
        }
        return run(GrpoPrompts.fromSamples(train, promptBuilder), v).toMetrics();
    }

    /**
     * Trains on {@code prompts} (resuming from the {@code latest} checkpoint when there is one) and returns the
     * summary.
     *
     * @throws IllegalStateException when the checkpoint was written for another model shape or other prompts
     */
    public GrpoResult train(List<GrpoPrompt> prompts) {
        return run(prompts, validator);
    }

    /** The mutable position of a run. */
    private static final class Run {
        long step;
        int epoch;
        int cursor;
        int[] order;
        SeededRandom dataRng;
        double seconds;
        double stepSeconds;
        long rolloutTokens;
        double rolloutSeconds;
        long bestStep = -1;
        double bestValue;
        List<GrpoHistory.StepPoint> steps = new ArrayList<>();
        List<GrpoHistory.ValidationPoint> validations = new ArrayList<>();
        long lastCheckpointStep = -1;
        String stopReason = "";

        GrpoHistory history() {
            return new GrpoHistory(steps, validations);
        }
    }

    private GrpoResult run(List<GrpoPrompt> prompts, GrpoValidator activeValidator) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("GRPO needs at least one training prompt.");
        }
        stopRequested = false;
        long start = System.nanoTime();
        int n = prompts.size();
        long fingerprint = fingerprint(prompts);
        long totalSteps = config.totalSteps(n);
        GroupRollout rollout = GroupRollout.builder()
                .setPolicy(policy)
                .setTokenizer(tokenizer)
                .optReference(config.beta() > 0 ? reference : null)
                .optGroupSize(config.numGenerations())
                .optSampling(config.sampling())
                .optMaxCompletionTokens(config.maxCompletionTokens())
                .optConstrainToCandidates(config.constrainToCandidates())
                .optAnswerLines(promptBuilder == null ? null : promptBuilder::answer)
                .optRankedList(config.rankedList())
                .build();
        GroupAdvantage advantage = config.groupAdvantage();

        Run run = new Run();
        run.dataRng = new SeededRandom(config.seed());
        run.order = shuffled(n, run.dataRng);
        boolean resumed = false;
        try (Adam optimizer = Adam.adamW(policy.parameters(), policy.manager(), config.adamBeta1(),
                config.adamBeta2(), config.adamEpsilon(), config.weightDecay());
             DjlPolicyLoss loss = new DjlPolicyLoss(config.policyLossConfig(), policy.manager())) {
            optimizer.zeroGradients();
            if (checkpointDir != null) {
                Optional<Path> latest = GrpoCheckpoints.find(checkpointDir, GrpoCheckpoints.LATEST);
                if (latest.isPresent()) {
                    resume(latest.get(), n, fingerprint, optimizer, run);
                    resumed = true;
                }
            }
            if (metricsFile != null) {
                trimMetrics(metricsFile, resumed ? run.step : -1);
            }
            double secondsBefore = run.seconds;
            for (GrpoListener l : listeners) {
                l.onTrainingStart(new GrpoListener.Start(policy.parameterCount(), n, totalSteps, run.step, resumed,
                        run.history()));
            }
            try (JsonLines.Appender metrics = metricsFile == null ? null : JsonLines.appender(metricsFile)) {
                if (!resumed && activeValidator != null && config.validateAtStart()
                        && validate(activeValidator, run, metrics)) {
                    checkpoint(optimizer, run, n, fingerprint, GrpoCheckpoints.BEST);
                }
                while (run.step < totalSteps && !shouldStop(run)) {
                    long step = run.step + 1;
                    List<GrpoPrompt> batch = nextBatch(prompts, run);
                    double lr = config.lrSchedule().rate(step, totalSteps,
                            (long) Math.floor(config.warmupFraction() * totalSteps), config.learningRate(),
                            config.minLrRatio());
                    long t0 = System.nanoTime();
                    Map<String, Object> line = step(batch, step, lr, rollout, advantage, loss, optimizer, run);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    run.step = step;
                    run.stepSeconds += secs;
                    run.seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
                    line.put("step_seconds", secs);
                    line.put("seconds", run.seconds);
                    double reward = (Double) line.get("reward/mean");
                    double hit = (Double) line.get("hit_rate");
                    run.steps.add(new GrpoHistory.StepPoint(step, reward, hit));
                    if (metrics != null) {
                        metrics.append(line);
                    }
                    GrpoListener.Step event = new GrpoListener.Step(step, (Integer) line.get("epoch"), reward, hit,
                            numeric(line));
                    for (GrpoListener l : listeners) {
                        l.onStep(event);
                    }
                    boolean validated = false;
                    boolean best = false;
                    if (activeValidator != null && (step == totalSteps
                            || config.validateEverySteps() > 0 && step % config.validateEverySteps() == 0)) {
                        best = validate(activeValidator, run, metrics);
                        validated = true;
                    }
                    boolean stopping = shouldStop(run);
                    if (validated || stopping || step == totalSteps
                            || config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0) {
                        run.seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
                        // A new best is the same weights as this step's latest: one directory, both pointers.
                        checkpoint(optimizer, run, n, fingerprint, best
                                ? new String[] {GrpoCheckpoints.LATEST, GrpoCheckpoints.BEST}
                                : new String[] {GrpoCheckpoints.LATEST});
                    }
                }
            }
            run.seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
        }
        GrpoResult result = result(run, totalSteps, resumed);
        for (GrpoListener l : listeners) {
            l.onTrainingEnd(result);
        }
        return result;
    }

    private boolean shouldStop(Run run) {
        if (stopRequested) {
            if (run.stopReason.isEmpty()) {
                run.stopReason = "stop requested";
            }
            return true;
        }
        for (GrpoListener l : listeners) {
            if (l.shouldStop()) {
                if (run.stopReason.isEmpty()) {
                    run.stopReason = "stopped by " + l.getClass().getSimpleName();
                }
                return true;
            }
        }
        return false;
    }

    /** The next {@code promptsPerStep} prompts; a new pass (and shuffle) starts when the current one runs out. */
    private List<GrpoPrompt> nextBatch(List<GrpoPrompt> prompts, Run run) {
        List<GrpoPrompt> batch = new ArrayList<>(config.promptsPerStep());
        while (batch.size() < config.promptsPerStep()) {
            if (run.cursor == run.order.length) {
                run.epoch++;
                run.cursor = 0;
                run.order = shuffled(prompts.size(), run.dataRng);
            }
            batch.add(prompts.get(run.order[run.cursor++]));
        }
        return batch;
    }

    private static int[] shuffled(int n, SeededRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
        return order;
    }

    /** One GRPO step; returns its metrics line (without the timing totals). */
    private Map<String, Object> step(List<GrpoPrompt> batch, long step, double lr, GroupRollout rollout,
                                     GroupAdvantage advantage, DjlPolicyLoss loss, Adam optimizer, Run run) {
        int g = config.numGenerations();
        RolloutBatch rb = rollout.generate(batch, SeededRandom.mix(config.seed(), step));
        RewardBatch rewardBatch = rewards.scoreGroups(rb.samples(), rb.completions(), g);
        RankedLists lists = rb.rankedLists();
        int listHits = 0;
        if (lists != null) {
            float[] credit = new float[rb.size()];
            for (int c = 0; c < credit.length; c++) {
                int target = tokenizer.itemTokenId(rb.sampleOf(c).target());
                int[] list = lists.lists().get(c);
                credit[c] = (float) RankedLists.credit(list, target, RANKED_LIST_GAP);
                for (int id : list) {
                    listHits += id == target && target >= 0 ? 1 : 0;
                }
            }
            rewardBatch = rewardBatch.plus(RANKED_LIST_REWARD, credit);
        }
        GroupAdvantages adv = advantage.compute(rewardBatch.totals());
        float[] advantages = adv.advantages();
        float[] mask = rb.mask();
        float[] old = config.policyUpdates() > 1 ? rb.oldLogProbs() : null;
        float[] ref = config.beta() > 0 ? rb.refLogProbs() : null;
        int n = rb.size();
        int tokens = rb.tokens();
        long generated = rb.completionTokenCount();
        int pad = Math.max(0, tokenizer.specialTokens().pad());

        long u0 = System.nanoTime();
        int chunks = config.gradientAccumulation();
        int p = batch.size();
        double lossSum = 0;
        double gradNormSum = 0;
        double tokenWeight = 0;
        double entropySum = 0;
        double klSum = 0;
        double clipLow = 0;
        double clipHigh = 0;
        double clipRegion = 0;
        double ratioSum = 0;
        for (int it = 0; it < config.policyUpdates(); it++) {
            double iterationLoss = 0;
            for (int c = 0; c < chunks; c++) {
                int from = (int) ((long) p * c / chunks);
                int to = (int) ((long) p * (c + 1) / chunks);
                int rows = (to - from) * g;
                try (NDManager sm = policy.manager().newSubManager();
                     GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    PolicyLogProbs.Output out = PolicyLogProbs.compute(policy, sm, rb.promptTokens().subList(from, to),
                            rb.completionTokens().subList(from * g, to * g), g, tokens, pad,
                            lists == null ? null : lists.rows(from, to, g));
                    Shape shape = new Shape(rows, tokens);
                    NDArray m = sm.create(rb.rows(mask, from, to), shape);
                    NDArray o = old == null ? null : sm.create(rb.rows(old, from, to), shape);
                    NDArray r = ref == null ? null : sm.create(rb.rows(ref, from, to), shape);
                    float[] a = new float[rows];
                    System.arraycopy(advantages, from * g, a, 0, rows);
                    boolean dapo = config.lossAggregation() == LossAggregation.DAPO;
                    DjlPolicyLossOutput lo = loss.forward(out.logProbs(), o, r, sm.create(a), m,
                            dapo ? (double) generated : 0.0);
                    // GRPO and Dr. GRPO average over sequences: weigh each micro-batch by its share of them. DAPO
                    // already divides by the whole batch's token count.
                    NDArray scaled = dapo ? lo.loss() : dev.mllmrec.core.lm.Scalars.mul(lo.loss(), (float) rows / n);
                    gc.backward(scaled);
                    iterationLoss += scaled.getFloat();
                    PolicyLossMetrics pm = lo.readMetrics();
                    double count = pm.tokens();
                    tokenWeight += count;
                    entropySum += out.entropy().stopGradient().mul(m).sum().getFloat();
                    if (ref != null) {
                        klSum += pm.meanKl() * count;
                    }
                    clipLow += pm.clipLow() * count;
                    clipHigh += pm.clipHigh() * count;
                    clipRegion += pm.clipRegion() * count;
                    ratioSum += pm.meanRatio() * count;
                }
            }
            double norm = optimizer.gradientNorm();
            if (!Double.isFinite(norm)) {
                throw new IllegalStateException("The gradient norm is " + norm + " at step " + step
                        + " (learning rate " + lr + "): training diverged; lower the learning rate.");
            }
            double scale = config.maxGradNorm() > 0 && norm > config.maxGradNorm()
                    ? config.maxGradNorm() / (norm + 1e-6) : 1.0;
            optimizer.update(lr, scale);
            lossSum += iterationLoss;
            gradNormSum += norm;
        }
        double updateSeconds = (System.nanoTime() - u0) / 1e9;
        run.rolloutTokens += generated;
        run.rolloutSeconds += rb.generationSeconds();

        int valid = 0;
        int hits = 0;
        int truncated = 0;
        for (int c = 0; c < n; c++) {
            Optional<ParsedAnswer> answer = ParsedAnswer.parse(rb.completions().get(c));
            if (answer.isPresent()) {
                valid++;
                if (answer.get().itemId() == rb.sampleOf(c).target()) {
                    hits++;
                }
            }
            if (rb.stopReasons().get(c) == Generation.StopReason.LENGTH) {
                truncated++;
            }
        }
        int mu = config.policyUpdates();
        double w = Math.max(1.0, tokenWeight);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.put("epoch", run.epoch);
        rewardBatch.metrics().forEach(line::put);
        line.put("hit_rate", (double) hits / n);
        if (lists != null) {
            line.put("list_hit_rate", (double) listHits / n);
        }
        line.put("format/valid_rate", (double) valid / n);
        line.put("advantage/zero_variance_groups", (double) adv.zeroVarianceGroups());
        line.put("advantage/zero_variance_fraction", adv.zeroVarianceFraction());
        line.put("loss", lossSum / mu);
        if (ref != null) {
            line.put("kl", klSum / w);
        }
        line.put("clip/region", clipRegion / w);
        line.put("clip/low", clipLow / w);
        line.put("clip/high", clipHigh / w);
        line.put("ratio/mean", ratioSum / w);
        line.put("entropy", entropySum / w);
        line.put("completion/mean_length", (double) generated / n);
        line.put("completion/max_length", (double) tokens);
        line.put("completion/truncated_fraction", (double) truncated / n);
        line.put("grad_norm", gradNormSum / mu);
        line.put("lr", lr);
        line.put("rollout_seconds", rb.generationSeconds());
        line.put("reference_seconds", rb.referenceSeconds());
        line.put("update_seconds", updateSeconds);
        line.put("rollout_tokens_per_second", generated / Math.max(rb.generationSeconds(), 1e-9));
        return line;
    }

    /** Validates, records the result and returns whether it is the best so far (the caller saves it). */
    private boolean validate(GrpoValidator v, Run run, JsonLines.Appender metrics) {
        long t0 = System.nanoTime();
        Map<String, Double> result;
        try (GradMode ignored = GradMode.disabled()) {
            result = Map.copyOf(v.validate(policy));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Double value = result.get(config.selectionMetric());
        if (value == null) {
            throw new IllegalStateException("The validator returned no '" + config.selectionMetric()
                    + "' (the selection metric); it returned " + result.keySet() + ".");
        }
        boolean best = run.bestStep < 0 || value > run.bestValue;
        if (best) {
            run.bestStep = run.step;
            run.bestValue = value;
        }
        run.validations.add(new GrpoHistory.ValidationPoint(run.step, result));
        LOG.info("GRPO step {}: validation {}{}", run.step, new java.util.TreeMap<>(result), best ? " (best)" : "");
        if (metrics != null) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", run.step);
            line.put("validation", new java.util.TreeMap<>(result));
            line.put("best", best);
            line.put("validation_seconds", secs);
            metrics.append(line);
        }
        GrpoListener.Validation event = new GrpoListener.Validation(run.step, result, best);
        for (GrpoListener l : listeners) {
            l.onValidation(event);
        }
        return best;
    }

    private void checkpoint(Adam optimizer, Run run, int prompts, long fingerprint, String... kinds) {
        if (checkpointDir == null) {
            return;
        }
        GrpoState state = new GrpoState(run.step, run.epoch, run.cursor, run.order, run.dataRng.state(),
                run.step * config.policyUpdates(), run.seconds, run.stepSeconds, run.rolloutTokens, run.rolloutSeconds,
                run.bestStep, run.bestValue, run.history(), prompts, fingerprint, config, policy.lmConfig(),
                provenance, policy.signature());
        // With the optimizer for the best one too: any step directory can be the fallback a resume starts from.
        Path dir = GrpoCheckpoints.save(checkpointDir, policy, tokenizer, optimizer, state, kinds);
        for (String kind : kinds) {
            if (GrpoCheckpoints.LATEST.equals(kind)) {
                run.lastCheckpointStep = run.step;
            }
            for (GrpoListener l : listeners) {
                l.onCheckpoint(dir, kind, run.step);
            }
        }
    }

    private void resume(Path checkpoint, int prompts, long fingerprint, Adam optimizer, Run run) {
        GrpoState state = GrpoCheckpoints.readState(checkpoint);
        boolean fits = state.policy() != null ? state.policy().equals(policy.signature())
                : state.model() != null && state.model().equals(policy.lmConfig());
        if (!fits) {
            throw new IllegalStateException("Checkpoint " + checkpoint + " was written for "
                    + (state.policy() != null ? state.policy() : state.model()) + " but the policy is "
                    + policy.signature() + ".");
        }
        if (state.dataFingerprint() != fingerprint || state.prompts() != prompts) {
            throw new IllegalStateException("Checkpoint " + checkpoint + " was written for other training prompts ("
                    + state.prompts() + " prompts); delete the checkpoint directory to start over.");
        }
        if (!state.config().equals(config)) {
            LOG.warn("Resuming {} with different GRPO settings than it was written with: {} (was {}).", checkpoint,
                    config, state.config());
        }
        policy.loadTrainable(checkpoint);
        optimizer.restore(GrpoCheckpoints.readOptimizer(checkpoint, state.optimizerSteps()));
        run.step = state.step();
        run.epoch = state.epoch();
        run.cursor = state.cursor();
        run.order = state.order();
        run.dataRng.setState(state.dataRngState());
        run.seconds = state.seconds();
        run.stepSeconds = state.stepSeconds();
        run.rolloutTokens = state.rolloutTokens();
        run.rolloutSeconds = state.rolloutSeconds();
        run.bestStep = state.bestStep();
        run.bestValue = state.bestValue();
        run.steps = new ArrayList<>(state.history().steps());
        run.validations = new ArrayList<>(state.history().validations());
        run.lastCheckpointStep = state.step();
        LOG.info("Resuming GRPO from {} at step {} (pass {}, prompt {}).", checkpoint, run.step, run.epoch,
                run.cursor);
    }

    private GrpoResult result(Run run, long totalSteps, boolean resumed) {
        Map<String, Double> last = run.validations.isEmpty() ? Map.of()
                : run.validations.get(run.validations.size() - 1).metrics();
        Map<String, Double> best = Map.of();
        for (GrpoHistory.ValidationPoint v : run.validations) {
            if (v.step() == run.bestStep) {
                best = v.metrics();
            }
        }
        int steps = run.steps.size();
        int window = Math.max(1, Math.min(TREND_WINDOW, steps / 2));
        double rewardStart = meanReward(run.steps, 0, Math.min(window, steps));
        double rewardEnd = meanReward(run.steps, Math.max(0, steps - window), steps);
        boolean completed = run.step >= totalSteps;
        return new GrpoResult(policy.parameterCount(), run.step, totalSteps, run.seconds,
                run.step == 0 ? 0 : run.stepSeconds / run.step,
                run.rolloutSeconds > 0 ? run.rolloutTokens / run.rolloutSeconds : 0, last, best, run.bestStep,
                rewardStart, rewardEnd, resumed, completed, completed ? "" : run.stopReason);
    }

    private static double meanReward(List<GrpoHistory.StepPoint> points, int from, int to) {
        if (to <= from) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = from; i < to; i++) {
            s += points.get(i).rewardMean();
        }
        return s / (to - from);
    }

    private static Map<String, Double> numeric(Map<String, Object> line) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : line.entrySet()) {
            if (e.getValue() instanceof Number num) {
                out.put(e.getKey(), num.doubleValue());
            }
        }
        return out;
    }

    private static long fingerprint(List<GrpoPrompt> prompts) {
        long h = 0x6A09E667F3BCC909L;
        for (GrpoPrompt p : prompts) {
            h = SeededRandom.mix(h, p.sample().sampleId().hashCode());
            h = SeededRandom.mix(h, p.sample().target());
            h = SeededRandom.mix(h, p.sample().candidates().hashCode());
            h = SeededRandom.mix(h, p.promptText().hashCode());
        }
        return h;
    }

    /** Drops metrics lines after {@code step} (all of them for -1), left by a run killed after its checkpoint. */
    @SuppressWarnings("rawtypes")
    private static void trimMetrics(Path file, long step) {
        if (!Files.exists(file)) {
            return;
        }
        List<Map> lines = JsonLines.read(file, Map.class);
        List<Map> kept = new ArrayList<>();
        for (Map line : lines) {
            Object s = line.get("step");
            if (s instanceof Number num && num.longValue() <= step) {
                kept.add(line);
            }
        }
        if (kept.size() != lines.size()) {
            JsonLines.write(file, kept);
        }
    }

    /** Does nothing: the trainer owns no native memory between runs (the caller owns the models). */
    @Override
    public void close() {
    }

    /** Builds a {@link DefaultGrpoTrainer}. Not thread-safe. */
    public static final class Builder {
        private TrainablePolicy policy;
        private PolicyModel reference;
        private TextTokenizer tokenizer;
        private GrpoConfig config = GrpoConfig.builder().build();
        private WeightedRewards rewards = WeightedRewards.of(RecommendationReward.reference());
        private GrpoValidator validator;
        private PromptBuilder promptBuilder;
        private Path checkpointDir;
        private Path metricsFile;
        private final Map<String, String> provenance = new LinkedHashMap<>();
        private final List<GrpoListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The policy to train in place, usually the SFT checkpoint (required; not closed by the trainer). */
        public Builder setPolicy(TrainablePolicy m) {
            policy = m;
            return this;
        }

        /** The policy's tokenizer (required; saved in checkpoints). */
        public Builder setTokenizer(TextTokenizer t) {
            tokenizer = t;
            return this;
        }

        /**
         * The frozen reference policy of the KL term, usually a second copy of the SFT checkpoint
         * ({@code TrainablePolicies.load(dir, null)}, {@code CausalLm.load(dir)} or {@code policy.copy()} before
         * training). Required when β > 0.
         */
        public Builder optReference(PolicyModel m) {
            reference = m;
            return this;
        }

        /** The settings (default {@code GrpoConfig.builder().build()}). */
        public Builder optConfig(GrpoConfig c) {
            config = Objects.requireNonNull(c, "config");
            return this;
        }

        /** The rewards (default the reference recommendation reward alone). */
        public Builder optRewards(WeightedRewards r) {
            rewards = Objects.requireNonNull(r, "rewards");
            return this;
        }

        /** Validation every {@code validateEverySteps} steps and at the end (default none). */
        public Builder optValidator(GrpoValidator v) {
            validator = v;
            return this;
        }

        /**
         * Renders plain prompts for {@link #train(List, List)} and, when generation is constrained to the
         * candidates, the candidates' answer lines ({@link PromptBuilder#answer(int)}): the policy then chooses the
         * item and the rest of its line is forced (default none).
         */
        public Builder optPromptBuilder(PromptBuilder p) {
            promptBuilder = p;
            return this;
        }

        /** Where {@code latest} and {@code best} checkpoints go and are resumed from (default none). */
        public Builder optCheckpointDir(Path dir) {
            checkpointDir = dir;
            return this;
        }

        /** The JSON Lines file of step and validation metrics (default none). */
        public Builder optMetricsFile(Path file) {
            metricsFile = file;
            return this;
        }

        /** A fact recorded in every checkpoint's state (for example {@code init} and the SFT directory). */
        public Builder addProvenance(String key, String value) {
            provenance.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds a listener. */
        public Builder addListener(GrpoListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /** Validates and builds. */
        public DefaultGrpoTrainer build() {
            if (policy == null) {
                throw new IllegalArgumentException("DefaultGrpoTrainer.Builder needs the policy: call setPolicy.");
            }
            if (tokenizer == null) {
                throw new IllegalArgumentException("DefaultGrpoTrainer.Builder needs the policy's tokenizer: call "
                        + "setTokenizer.");
            }
            if (config.beta() > 0 && reference == null) {
                throw new IllegalArgumentException("The KL weight beta is " + config.beta() + ", so a frozen "
                        + "reference policy is required: call optReference (or set beta to 0).");
            }
            if (reference == policy) {
                throw new IllegalArgumentException("The reference policy must be a separate copy of the initial "
                        + "policy, not the policy being trained.");
            }
            if (tokenizer.vocabSize() > policy.vocabSize()) {
                throw new IllegalArgumentException("The tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the policy only " + policy.vocabSize() + ".");
            }
            return new DefaultGrpoTrainer(this);
        }
    }
}
