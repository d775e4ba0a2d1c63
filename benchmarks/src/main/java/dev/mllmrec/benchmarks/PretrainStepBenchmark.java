package dev.mllmrec.benchmarks;

import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.sft.AnswerEnd;
import dev.mllmrec.core.lm.sft.LrSchedule;
import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.core.lm.sft.SftExample;
import dev.mllmrec.core.lm.sft.SftResult;
import dev.mllmrec.core.lm.sft.SftTrainer;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.pipeline.ItemSequenceWindows;
import java.util.ArrayList;
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
 * One optimizer step of item-sequence pre-training, the pipeline's hot loop, through the product's own
 * {@link SftTrainer} with the settings of {@code SftStage}'s pre-training: the {@code mini} policy, windows of 10 item
 * tokens after {@code history:} ({@link ItemSequenceWindows}; with the separating spaces, which the pipeline's
 * vocabulary holds as a token, 21 tokens), batch 128, a sampled softmax of each item target against 9 uniform
 * negatives the user has not seen, the 9 separator targets of a window sharing one sampled softmax over the
 * separator and {@code SftStage.SEQUENCE_TEXT_NEGATIVES} uniform draws (as the pipeline's pre-training does), Adam (learning rate 1e-3, beta2 0.98, no warm-up, clipping or weight decay),
 * dropout 0.3. One invocation is one epoch of {@value #STEPS} steps (so the trainer's fixed set-up, the
 * tokenisation and the optimizer's moments, is spread over them, as it is over an epoch of the real run).
 *
 * <p>{@code vocab} sweeps the real MovieLens vocabulary (7,608 tokens, 2,943 items) and a 40,000-token one
 * (20,000 items, the size of a text-heavy catalog): a sampled softmax should cost the same at both. Its PyTorch
 * eager twin is {@code benchmarks/pytorch/pretrain_step.py}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dmllmrec.progress.off=true",
    "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"})
public class PretrainStepBenchmark {

    /** Optimizer steps per invocation (one epoch of windows). */
    static final int STEPS = 16;
    private static final int BATCH = 128;
    private static final int WINDOW = 10;
    private static final int STRIDE = 5;
    private static final int NEGATIVES = 9;

    /** The vocabulary size. */
    @Param({"7608", "40000"})
    public int vocab;

    /**
     * The width of the items' frozen content vectors (0: item ids only; the pipeline's {@code minilm+facets} content
     * is 413 wide): random vectors, seeded, with the model's learnt projection added to every item token's row.
     */
    @Param({"0"})
    public int content;

    private CausalLm model;
    private WordTokenizer tokenizer;
    private List<SftExample> windows;
    private int[] pool;
    private long seed;

    /** Builds the tokenizer, the model and one epoch of windows. */
    @Setup(Level.Trial)
    public void setUp() {
        int items = vocab <= 10_000 ? 2_943 : 20_000;
        List<String> words = new ArrayList<>(List.of("<pad>", "<eos>", "<unk>", "<think>", "</think>", "\n",
                "history", ":", " "));
        for (int i = 1; i <= items; i++) {
            words.add("[ITEM_" + i + "]");
        }
        for (int i = 0; words.size() < vocab; i++) {
            words.add(" w" + i);
        }
        tokenizer = WordTokenizer.of(words);
        pool = new int[items];
        for (int i = 0; i < items; i++) {
            pool[i] = tokenizer.itemTokenId(i + 1);
        }
        SeededRandom r = new SeededRandom(11);
        List<List<Integer>> prefixes = new ArrayList<>();
        int count = 0;
        while (count < STEPS * BATCH) {
            List<Integer> prefix = new ArrayList<>();
            int n = 12 + r.nextInt(60); // MovieLens users' training prefixes: tens of items
            for (int i = 0; i < n; i++) {
                prefix.add(1 + r.nextInt(items));
            }
            prefixes.add(prefix);
            count += ItemSequenceWindows.examples(List.of(prefix), WINDOW, STRIDE).size();
        }
        windows = ItemSequenceWindows.examples(prefixes, WINDOW, STRIDE).subList(0, STEPS * BATCH);
        LmConfig config = LmConfig.Preset.MINI.config(tokenizer.vocabSize());
        if (content == 0) {
            model = CausalLm.create(config, 1);
        } else {
            for (int i = 1; i < items; i++) {
                if (pool[i] != pool[0] + i) {
                    throw new IllegalStateException("The item tokens are not consecutive at item " + (i + 1) + ".");
                }
            }
            float[] vectors = new float[items * content];
            SeededRandom v = new SeededRandom(5);
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = (float) v.nextGaussian();
            }
            model = CausalLm.create(config.withContent(new LmConfig.ItemContentShape(content, pool[0], items)), 1,
                    vectors);
        }
    }

    /** Frees native memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    /**
     * The settings of {@code SftStage}'s item-sequence pre-training (SASRec's optimizer; 9 sampled negatives plus half
     * the exact softmax over the item pool).
     */
    static SftConfig pretrainingConfig(long seed) {
        return SftConfig.builder().optSchedule(LrSchedule.CONSTANT).optWarmupFraction(0).optBetas(0.9, 0.98)
                .optMaxGradNorm(0).optWeightDecay(0).optEpochs(1).optBatchSize(BATCH).optLearningRate(1e-3)
                .optAnswerEnd(AnswerEnd.NONE).optSeed(seed).optDropout(0.3).optSampledNegatives(NEGATIVES)
                .optPoolSoftmaxWeight(SftConfig.RECOMMENDED_POOL_SOFTMAX_WEIGHT)
                .optTextNegatives(dev.mllmrec.core.pipeline.SftStage.SEQUENCE_TEXT_NEGATIVES)
                .optCheckpointEverySteps(0).build();
    }

    /** One epoch of {@value #STEPS} pre-training steps; the score is per step. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public SftResult pretrainStep() {
        return SftTrainer.builder().setModel(model).setTokenizer(tokenizer).optConfig(pretrainingConfig(seed++))
                .optNegativePool(pool).build().train(windows);
    }
}
