package dev.mllmrec.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.grpo.sampling.CounterRng;
import dev.mllmrec.grpo.sampling.DjlTopPSampler;
import dev.mllmrec.grpo.sampling.TopPSampler;
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

/**
 * The rollout's sampling step: temperature 0.9 plus top-p 0.9, one token per row, from {@code rows x vocab} logits
 * (Gaussian, standard deviation 3 — a peaked, LLM-like distribution) to token ids on the host. Vocabularies: the
 * built-in tokenizer's size (8,192) and Qwen3's (151,936).
 *
 * <p>Both sides run on one thread (libtorch intra-op threads = 1), so the comparison is per core and does not
 * depend on how busy the machine's other cores are.
 *
 * <p>Baseline: {@code javaPartialSelection} ({@link TopPSampler}: one softmax pass, bucket by exponent, sort only the
 * candidate nucleus). Against it, two DJL variants that return the same tokens ({@link DjlTopPSampler}: softmax,
 * sort, cumsum, mask, inverse CDF): {@code djlSortCumsum} sorts whole rows, {@code djlTopKCumsum} sorts only the
 * top 1,024 tokens of each row (more when they hold less than top-p of the mass).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
    "-Dai.djl.pytorch.num_interop_threads=1"})
public class TopPSamplingBenchmark {

    /** Rows sampled at once (prompts x generations in flight). */
    @Param({"8", "32", "64"})
    public int rows;

    /** Vocabulary size. */
    @Param({"8192", "151936"})
    public int vocab;

    private final TopPSampler javaSampler = new TopPSampler(0.9, 0.9);
    private final DjlTopPSampler djlFullSort = new DjlTopPSampler(0.9, 0.9, 0);
    private final DjlTopPSampler djlTopK = new DjlTopPSampler(0.9, 0.9);
    private final CounterRng rng = new CounterRng(7);
    private NDManager manager;
    private float[] logits;
    private NDArray logitsNd;
    private long step;

    /** Builds seeded logits. */
    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(1);
        logits = new float[rows * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (3 * rnd.nextGaussian());
        }
        manager = NDManager.newBaseManager();
        logitsNd = manager.create(logits, new Shape(rows, vocab));
    }

    /** Frees native memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    /** Baseline: plain Java with partial selection. */
    @Benchmark
    public int[] javaPartialSelection() {
        return javaSampler.sample(logits, rows, vocab, rng.uniforms(step++, rows));
    }

    /** DJL array code: softmax, whole-row sort, cumsum, mask, inverse CDF. */
    @Benchmark
    public long[] djlSortCumsum() {
        return djl(djlFullSort);
    }

    /** DJL array code with a top-k candidate sort instead of a whole-row sort. */
    @Benchmark
    public long[] djlTopKCumsum() {
        return djl(djlTopK);
    }

    private long[] djl(DjlTopPSampler sampler) {
        try (NDManager s = manager.newSubManager()) {
            s.tempAttachAll(logitsNd);
            NDArray u = s.create(rng.uniforms(step++, rows));
            return sampler.sample(logitsNd, u).toLongArray();
        }
    }
}
