package dev.mllmrec.benchmarks;

import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.GenerationConfig;
import dev.mllmrec.core.lm.Generator;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Greedy generation throughput (generated tokens per second, batch of one, {@code small} preset, 8k vocabulary)
 * with the KV cache against its baseline, re-running the whole sequence for every new token, at prompt lengths
 * 64, 256 and 1024.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dmllmrec.progress.off=true"})
public class KvCacheGenerationBenchmark {

    /** Tokens generated per invocation. */
    static final int NEW_TOKENS = 32;

    @Param({"64", "256", "1024"})
    int promptLength;

    private CausalLm model;
    private Generator generator;
    private List<int[]> prompts;
    private GenerationConfig cached;
    private GenerationConfig uncached;

    @Setup(Level.Trial)
    public void setUp() {
        WordTokenizer tokenizer = LmFixtures.tokenizer();
        model = CausalLm.create(LmFixtures.smallModel(), 1);
        generator = new Generator(model, tokenizer);
        prompts = List.of(LmFixtures.prompt(promptLength, 7));
        GenerationConfig.Builder b = GenerationConfig.builder().optMaxNewTokens(NEW_TOKENS).optStopOnEos(false)
                .optStopOnNewline(false);
        cached = b.optUseCache(true).build();
        uncached = b.optUseCache(false).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    /** With the KV cache: one prefill, then one token's work per step. */
    @Benchmark
    @OperationsPerInvocation(NEW_TOKENS)
    public List<Generation> withKvCache() {
        return generator.generate(prompts, cached);
    }

    /** Baseline: the whole prompt and continuation re-run for every token. */
    @Benchmark
    @OperationsPerInvocation(NEW_TOKENS)
    public List<Generation> withoutKvCache() {
        return generator.generate(prompts, uncached);
    }
}
