package dev.mllmrec.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.core.lm.GradMode;
import dev.mllmrec.core.lm.KvCache;
import dev.mllmrec.core.lm.hf.HfConfig;
import dev.mllmrec.core.lm.hf.HfDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prefill and decode throughput (tokens per second, batch of one) of a pretrained-decoder policy shaped like
 * Qwen3-0.6B (28 layers, hidden 1024, 16 query / 8 key-value heads of 128, SwiGLU 3072, vocabulary 151,936, tied;
 * 596M parameters, 2.4 GB in float32), with random weights drawn in memory: {@link HfDecoder}'s own forward pass
 * and {@link KvCache}, as generation and likelihood ranking run them. Prefill feeds a 128-token
 * prompt and reads the last position's logits; decode feeds one token at a time after a prefilled prompt. The
 * resident memory after setup is printed on tear-down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx2g"})
public class HfDecoderBenchmark {

    /** Tokens decoded per invocation. */
    static final int DECODE_TOKENS = 8;

    /** Prompt tokens per prefill. */
    static final int PROMPT_TOKENS = 128;

    private final int promptLength = PROMPT_TOKENS;

    private HfDecoder model;
    private NDManager manager;
    private long[] prompt;
    private KvCache cache;
    private String setupMemory;

    /** Qwen3-0.6B's shape (its config.json). */
    static HfConfig qwen3Shape() {
        return new HfConfig(HfConfig.Family.QWEN3, 1024, 3072, 28, 16, 8, 128, 151_936, 40_960, 1e-6, 1e6, true,
                false, false, 151_643, new int[] {151_645});
    }

    @Setup(Level.Trial)
    public void setUp() {
        model = HfDecoder.random(qwen3Shape(), 1, 0.02);
        manager = model.manager().newSubManager();
        prompt = new long[promptLength];
        for (int i = 0; i < promptLength; i++) {
            prompt[i] = (i * 7919L) % 150_000;
        }
        setupMemory = residentMemory();
    }

    @SuppressWarnings("try")
    @Setup(Level.Invocation)
    public void prefillCache() {
        cache = model.newCache(manager, 1);
        try (GradMode ignored = GradMode.disabled(); NDManager step = manager.newSubManager()) {
            model.hidden(step.create(prompt, new Shape(1, promptLength)), null, null, cache);
        }
    }

    @TearDown(Level.Invocation)
    public void dropCache() {
        cache.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("\nresident memory after setup: " + setupMemory + ", at the end: " + residentMemory()
                + " (" + model.baseParameterCount() + " parameters)");
        manager.close();
        model.close();
    }

    /** One prompt pass and the last position's logits. */
    @SuppressWarnings("try")
    @Benchmark
    @OperationsPerInvocation(PROMPT_TOKENS)
    public float prefill() {
        try (GradMode ignored = GradMode.disabled(); NDManager step = manager.newSubManager()) {
            NDArray hidden = model.hidden(step.create(prompt, new Shape(1, promptLength)), null, null, null);
            return model.logits(hidden.get(new NDIndex(":, -1, :"))).argMax().getLong();
        }
    }

    /** Greedy decoding of {@link #DECODE_TOKENS} tokens after the prefilled prompt, one token per pass. */
    @SuppressWarnings("try")
    @Benchmark
    @OperationsPerInvocation(DECODE_TOKENS)
    public long decode() {
        long token = prompt[promptLength - 1];
        try (GradMode ignored = GradMode.disabled()) {
            for (int i = 0; i < DECODE_TOKENS; i++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray hidden = model.hidden(step.create(new long[] {token}, new Shape(1, 1)), null, null, cache);
                    token = model.logits(hidden.get(new NDIndex(":, -1, :"))).argMax().getLong();
                }
            }
        }
        return token;
    }

    private static String residentMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return line.substring(6).trim();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }
}
