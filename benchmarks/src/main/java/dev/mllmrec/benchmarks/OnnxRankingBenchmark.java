package dev.mllmrec.benchmarks;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.onnx.OnnxRecommender;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import dev.mllmrec.core.onnx.PolicyOnnxExporter;
import dev.mllmrec.core.onnx.SasRecOnnxExporter;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.RankingView;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
 * Serving cost of a ranking request on ONNX Runtime against DJL (libtorch eager), one thread each, for SASRec and
 * the policy at the MovieLens pipeline's shapes (SASRec: 3,000 items, width 64, 2 blocks, 10 positions; policy: the
 * {@code mini} preset over an 8,000-token vocabulary whose 3,000 item tokens carry 384-d content vectors, compact
 * prompts of 9 history items and 10 candidates, ranked by item-token likelihood). {@code latency}: one request per
 * call (sample time: median and 99th percentile); {@code throughput}: 64 requests per {@code rankAll}, in requests
 * per second. Both engines run the same recommender code paths the product uses.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
    "-Dai.djl.pytorch.num_interop_threads=1", "-Dmllmrec.progress.off=true"})
public class OnnxRankingBenchmark {

    static final int ITEMS = 3_000;
    static final int BATCH = 64;

    @Param({"sasrec", "policy"})
    String model;

    @Param({"djl", "onnx"})
    String engine;

    private AutoCloseable djlModel;
    private Recommender recommender;
    private Path dir;
    private List<RankingRequest> requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("onnx-bench");
        requests = requests(512, 3);
        Catalog catalog = Catalog.of("bench", IntStream.rangeClosed(1, ITEMS)
                .mapToObj(i -> Item.of(i, "Movie " + i)).toList());
        if (model.equals("sasrec")) {
            SasRecModel m = SasRecModel.create(SasRecConfig.builder().optMaxLength(10).optHiddenSize(64).optBlocks(2)
                    .optHeads(1).optSeed(1).build(), IntStream.rangeClosed(1, ITEMS).boxed().toList());
            djlModel = m;
            SasRecOnnxExporter.export(m, "sasrec", null, dir);
            recommender = engine.equals("djl") ? new SasRecRecommender(m)
                    : OnnxRecommender.loadSasRec(dir, OnnxSessionConfig.defaults());
        } else {
            WordTokenizer tokenizer = LmFixtures.tokenizer();
            LmConfig config = LmConfig.builder().optPreset(LmConfig.Preset.MINI).setVocabSize(LmFixtures.VOCAB)
                    .build().withContent(new LmConfig.ItemContentShape(384, 6, ITEMS));
            float[] vectors = new float[ITEMS * 384];
            SeededRandom r = new SeededRandom(2);
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = (float) (r.nextGaussian() / Math.sqrt(384));
            }
            CausalLm lm = CausalLm.create(config, 1, vectors);
            djlModel = lm;
            tokenizer.save(dir.resolve("source-tokenizer.json"));
            PromptBuilder prompts = PromptBuilder.builder().setCatalog(catalog)
                    .optStyle(PromptBuilder.Style.COMPACT).build();
            PolicyOnnxExporter.export(lm, dir.resolve("source-tokenizer.json"), PromptBuilder.Style.COMPACT,
                    tokenizer.specialTokens().pad(), "policy", null, dir.resolve("export"));
            recommender = engine.equals("djl")
                    ? new LikelihoodRecommender("policy", lm, tokenizer, prompts, AnswerScope.ITEM_TOKEN)
                    : OnnxRecommender.loadPolicy(dir.resolve("export"), catalog, AnswerScope.ITEM_TOKEN,
                            RankingView.CANDIDATES, OnnxSessionConfig.defaults());
        }
    }

    /** Requests of 9 history items and 10 candidates drawn from the catalog, seeded. */
    static List<RankingRequest> requests(int n, long seed) {
        SeededRandom r = new SeededRandom(seed);
        List<RankingRequest> out = new ArrayList<>(n);
        for (int u = 0; u < n; u++) {
            List<Integer> history = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                history.add(1 + r.nextInt(ITEMS));
            }
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                candidates.add(1 + r.nextInt(ITEMS));
            }
            out.add(new RankingRequest("u" + u, history, candidates));
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (recommender instanceof AutoCloseable c) {
            c.close();
        }
        djlModel.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One request per call. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object latencyBatch1() {
        next = (next + 1) % requests.size();
        return recommender.rank(requests.get(next));
    }

    /** 64 requests per call, reported per request. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public Object throughputBatch64() {
        next = (next + BATCH) % (requests.size() - BATCH);
        return recommender.rankAll(requests.subList(next, next + BATCH));
    }
}
