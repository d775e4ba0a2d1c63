package dev.mllmrec.benchmarks;

import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.sft.LossScope;
import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.core.lm.sft.SftExample;
import dev.mllmrec.core.lm.sft.SftResult;
import dev.mllmrec.core.lm.sft.SftTrainer;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SFT optimizer step ({@code small} preset, 8k vocabulary, 16 sequences of about 200 prompt tokens and a
 * 4-token answer): the default answer-only loss, which runs the output layer on the answer positions only,
 * against its baseline, the loss over the whole sequence. Tokens per step: about 3,400 (divide by the time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dmllmrec.progress.off=true"})
public class SftStepBenchmark {

    private CausalLm model;
    private WordTokenizer tokenizer;
    private List<SftExample> batch;

    @Setup(Level.Trial)
    public void setUp() {
        tokenizer = LmFixtures.tokenizer();
        model = CausalLm.create(LmFixtures.smallModel(), 1);
        SeededRandom r = new SeededRandom(3);
        batch = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            StringBuilder prompt = new StringBuilder();
            int len = 190 + r.nextInt(20);
            for (int j = 0; j < len; j++) {
                prompt.append(tokenizer.token(LmFixtures.FIRST_WORD + r.nextInt(LmFixtures.VOCAB
                        - LmFixtures.FIRST_WORD)));
            }
            String answer = "[ITEM_" + (1 + r.nextInt(LmFixtures.ITEMS)) + "]"
                    + tokenizer.token(LmFixtures.FIRST_WORD + 1) + tokenizer.token(LmFixtures.FIRST_WORD + 2);
            batch.add(new SftExample(prompt.toString(), answer));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    private SftResult step(LossScope scope) {
        SftConfig config = SftConfig.builder().optBatchSize(16).optCheckpointEverySteps(0).optLossScope(scope)
                .build();
        return SftTrainer.builder().setModel(model).setTokenizer(tokenizer).optConfig(config).build().train(batch);
    }

    /** The default: loss on the answer tokens. */
    @Benchmark
    public SftResult answerOnlyLoss() {
        return step(LossScope.ANSWER);
    }

    /** Baseline: loss on every token (the output layer runs on all 3,400 positions). */
    @Benchmark
    public SftResult fullSequenceLoss() {
        return step(LossScope.FULL_SEQUENCE);
    }
}
