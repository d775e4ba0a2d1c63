package dev.mllmrec.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mllmrec.grpo.advantage.DjlGroupAdvantages;
import dev.mllmrec.grpo.advantage.GroupAdvantage;
import dev.mllmrec.grpo.advantage.GroupAdvantages;
import dev.mllmrec.grpo.loss.DjlPolicyLoss;
import dev.mllmrec.grpo.loss.DjlPolicyLossOutput;
import dev.mllmrec.grpo.loss.JavaPolicyLoss;
import dev.mllmrec.grpo.loss.PolicyLossConfig;
import dev.mllmrec.grpo.loss.PolicyLossInput;
import dev.mllmrec.grpo.loss.PolicyLossResult;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One GRPO optimisation step's math after the forward pass: group advantages from rewards, then the clipped-surrogate
 * loss with the k3 KL term (β 0.1, ε 0.2, {@code grpo} aggregation) and its gradient with respect to the policy's
 * per-token log-probs. Groups of 8 completions, {@code prompts} prompts, 128 completion tokens with ragged lengths,
 * off-policy ratios (so clipping happens).
 *
 * <p>Both sides run on one thread (libtorch intra-op threads = 1), so the comparison is per core and does not
 * depend on how busy the machine's other cores are.
 *
 * <p>Baseline: {@code javaReference} (plain loops over float arrays, analytic gradient). Against it: DJL array code
 * with the gradient from autograd ({@code djlAutograd}, what a trainer does) and from the closed form
 * ({@code djlAnalytic}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
    "-Dai.djl.pytorch.num_interop_threads=1"})
public class GroupAdvantageLossBenchmark {

    private static final int GROUP = 8;
    private static final int TOKENS = 128;

    /** Prompts per batch; completions = prompts x 8. */
    @Param({"4", "16", "64"})
    public int prompts;

    private GroupAdvantage advantage;
    private JavaPolicyLoss javaLoss;
    private DjlPolicyLoss djlLoss;
    private NDManager manager;

    private float[] rewards;
    private float[] logp;
    private float[] old;
    private float[] ref;
    private float[] mask;
    private float[] gradient;

    private NDArray rewardsNd;
    private NDArray logpNd;
    private NDArray oldNd;
    private NDArray refNd;
    private NDArray maskNd;

    /** Builds a seeded batch. */
    @Setup(Level.Trial)
    public void setUp() {
        int n = prompts * GROUP;
        SplittableRandom rnd = new SplittableRandom(42);
        float[] values = {-1f, 0.3f, 1f};
        rewards = new float[n];
        logp = new float[n * TOKENS];
        old = new float[n * TOKENS];
        ref = new float[n * TOKENS];
        mask = new float[n * TOKENS];
        gradient = new float[n * TOKENS];
        for (int i = 0; i < n; i++) {
            rewards[i] = values[rnd.nextInt(3)];
            int len = 32 + rnd.nextInt(TOKENS - 31);
            for (int t = 0; t < TOKENS; t++) {
                int k = i * TOKENS + t;
                logp[k] = (float) (-3 * rnd.nextDouble());
                old[k] = logp[k] + (float) (0.2 * rnd.nextGaussian());
                ref[k] = logp[k] + (float) (0.1 * rnd.nextGaussian());
                mask[k] = t < len ? 1f : 0f;
            }
        }
        advantage = GroupAdvantage.builder().setGroupSize(GROUP).build();
        PolicyLossConfig config = PolicyLossConfig.builder().build();
        javaLoss = new JavaPolicyLoss(config);
        manager = NDManager.newBaseManager();
        djlLoss = new DjlPolicyLoss(config, manager);
        Shape shape = new Shape(n, TOKENS);
        rewardsNd = manager.create(rewards);
        logpNd = manager.create(logp, shape);
        oldNd = manager.create(old, shape);
        refNd = manager.create(ref, shape);
        maskNd = manager.create(mask, shape);
    }

    /** Frees native memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        djlLoss.close();
        manager.close();
    }

    /** Baseline: plain Java advantages, loss and analytic gradient. */
    @Benchmark
    public double javaReference(Blackhole bh) {
        GroupAdvantages a = advantage.compute(rewards);
        PolicyLossResult r = javaLoss.compute(PolicyLossInput.of(prompts * GROUP, TOKENS, logp, old, ref,
                a.advantages(), mask), gradient);
        bh.consume(r.gradient());
        return r.loss();
    }

    /** DJL advantages and loss, gradient by autograd (the trainer's path). */
    @Benchmark
    public float djlAutograd(Blackhole bh) {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(rewardsNd, oldNd, refNd, maskNd);
            NDArray lp = logpNd.duplicate();
            lp.attach(step);
            lp.setRequiresGradient(true);
            DjlGroupAdvantages a = advantage.compute(rewardsNd);
            float loss;
            try (GradientCollector gc = step.getEngine().newGradientCollector()) {
                DjlPolicyLossOutput out = djlLoss.forward(lp, oldNd, refNd, a.advantages(), maskNd);
                gc.backward(out.loss());
                loss = out.loss().getFloat();
            }
            bh.consume(lp.getGradient());
            return loss;
        }
    }

    /** DJL advantages and loss, gradient from the closed form (no autograd graph). */
    @Benchmark
    public float djlAnalytic(Blackhole bh) {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(rewardsNd, logpNd, oldNd, refNd, maskNd);
            DjlGroupAdvantages a = advantage.compute(rewardsNd);
            DjlPolicyLossOutput out = djlLoss.forward(logpNd, oldNd, refNd, a.advantages(), maskNd);
            NDArray g = djlLoss.analyticGradient(logpNd, oldNd, refNd, a.advantages(), maskNd, 0.0);
            bh.consume(g.get(0, 0).getFloat());
            return out.loss().getFloat();
        }
    }
}
