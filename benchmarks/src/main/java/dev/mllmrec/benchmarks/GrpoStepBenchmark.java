package dev.mllmrec.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.grpo.rollout.GroupRollout;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import dev.mllmrec.grpo.rollout.RolloutBatch;
import dev.mllmrec.grpo.train.DefaultGrpoTrainer;
import dev.mllmrec.grpo.train.GrpoConfig;
import dev.mllmrec.grpo.train.GrpoResult;
import dev.mllmrec.grpo.train.PolicyLogProbs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One GRPO step on the {@code small} policy (128 wide, 2 layers, 1.3 M parameters with a 7,000-token vocabulary):
 * {@code prompts} prompts of 270 tokens (the length of a MovieLens prompt with 9 history items and 10 candidates),
 * G = 8 completions each, up to 24 completion tokens, β = 0.1 (so the reference policy runs too).
 *
 * <ul>
 *   <li>{@code step}: a whole step through {@link DefaultGrpoTrainer} (rollout, reference log-probs, rewards,
 *       advantages, per-token log-probs with autograd, loss, backward, clipping, AdamW);</li>
 *   <li>{@code rollout}: the rollout alone; the {@code generatedTokens} counter reports rollout tokens per
 *       second;</li>
 *   <li>{@code logProbsSharedPrompt} against the baseline {@code logProbsFullSequences}: forward and backward of the
 *       policy's per-token log-probs with one prompt pass per group (its cache fanned out to the G completions)
 *       versus one pass per prompt-plus-completion sequence.</li>
 * </ul>
 *
 * A randomly initialised policy rarely stops early, so completions use the whole budget: an upper bound on a
 * trained policy's step time. libtorch runs on one thread: decoding is many small operations, and on a shared
 * 2-core machine a second intra-op thread mostly waits for a busy core (measured: 2 to 5 times slower).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
    "-Dai.djl.pytorch.num_interop_threads=1"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class GrpoStepBenchmark {

    /** Prompts per step. */
    @Param({"4"})
    public int prompts;

    private static final int G = 8;
    private static final int PROMPT_TOKENS = 270;
    private static final int MAX_COMPLETION = 24;
    private static final int WORDS = 7000;

    private WordTokenizer tokenizer;
    private CausalLm policy;
    private CausalLm reference;
    private List<GrpoPrompt> batch;
    private GroupRollout rollout;
    private RolloutBatch sample;
    private Adam zeroer;
    private long seed;

    /** Counts generated tokens, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Tokens {
        /** Completion tokens generated. */
        public long generatedTokens;
    }

    /** Builds the tokenizer, the models and the prompts. */
    @Setup(Level.Trial)
    public void setUp() {
        List<String> vocab = new ArrayList<>(List.of("<pad>", "<eos>", "<unk>", "<think>", "</think>", "\n"));
        for (int i = 1; i <= 10; i++) {
            vocab.add("[ITEM_" + i + "]");
        }
        for (int i = 0; i < WORDS; i++) {
            vocab.add(" w" + i);
        }
        tokenizer = WordTokenizer.of(vocab);
        LmConfig config = LmConfig.Preset.SMALL.config(tokenizer.vocabSize());
        policy = CausalLm.create(config, 1);
        reference = policy.copy();
        SeededRandom rnd = new SeededRandom(3);
        batch = new ArrayList<>();
        for (int p = 0; p < prompts; p++) {
            StringBuilder text = new StringBuilder();
            for (int t = 0; t < PROMPT_TOKENS; t++) {
                text.append(" w").append(rnd.nextInt(WORDS));
            }
            RecommendationSample s = new RecommendationSample("s" + p, "u" + p, List.of(1, 2), 3,
                    List.of(3, 4, 5, 6, 7, 8, 9, 10, 1, 2));
            batch.add(new GrpoPrompt(s, text.toString()));
        }
        rollout = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optReference(reference)
                .optGroupSize(G).optMaxCompletionTokens(MAX_COMPLETION).build();
        sample = rollout.generate(batch, 1);
        zeroer = Adam.adamW(policy.parameters(), policy.manager(), 0.9, 0.99, 1e-8, 0);
    }

    /** Frees native memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        zeroer.close();
        policy.close();
        reference.close();
    }

    /** A whole GRPO step. */
    @Benchmark
    public GrpoResult step() {
        GrpoConfig config = GrpoConfig.builder().optPromptsPerStep(prompts).optNumGenerations(G)
                .optMaxCompletionTokens(MAX_COMPLETION).optMaxSteps(1).optSeed(seed++).build();
        return DefaultGrpoTrainer.builder().setPolicy(policy).setTokenizer(tokenizer).optReference(reference)
                .optConfig(config).build().train(batch);
    }

    /** The rollout alone (sampling and reference log-probs). */
    @Benchmark
    public RolloutBatch rollout(Tokens tokens) {
        RolloutBatch b = rollout.generate(batch, seed++);
        tokens.generatedTokens += b.completionTokenCount();
        return b;
    }

    /** Per-token log-probs, forward and backward, one prompt pass per group. */
    @Benchmark
    public float logProbsSharedPrompt() {
        return logProbs(true);
    }

    /** Baseline: per-token log-probs, forward and backward, one pass per whole sequence. */
    @Benchmark
    public float logProbsFullSequences() {
        return logProbs(false);
    }

    private float logProbs(boolean shared) {
        try (NDManager sm = policy.manager().newSubManager();
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            PolicyLogProbs.Output out = shared
                    ? PolicyLogProbs.compute(policy, sm, sample.promptTokens(), sample.completionTokens(), G,
                            sample.tokens(), 0)
                    : PolicyLogProbs.computeFull(policy, sm, sample.promptTokens(), sample.completionTokens(), G,
                            sample.tokens(), 0);
            var loss = out.logProbs().sum();
            gc.backward(loss);
            float v = loss.getFloat();
            zeroer.zeroGradients();
            return v;
        }
    }
}
