package dev.mllmrec.core.lm.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.GenerationConfig;
import dev.mllmrec.core.lm.Generator;
import dev.mllmrec.core.lm.GradMode;
import dev.mllmrec.core.lm.Sampling;
import dev.mllmrec.core.lm.ScoringRequest;
import dev.mllmrec.core.lm.SequenceScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfDecoderTest {

    static Path models() {
        return Path.of(System.getProperty("mllmrec.shared.dir", "../../shared")).resolve("models");
    }

    static Path folder(String name) {
        Path dir = models().resolve(name);
        Assumptions.assumeTrue(Files.isDirectory(dir), "Shared model folder not found: " + dir);
        return dir;
    }

    /** The reference cases of a folder: prompt ids, greedy ids, last-position logits. */
    record Case(int[] prompt, int[] greedy, float[] logits) {
    }

    static List<Case> cases(Path dir) throws IOException {
        JsonNode root = Json.mapper().readTree(dir.resolve("reference.json").toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            int[] p = new int[c.get("prompt_ids").size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = c.get("prompt_ids").get(i).asInt();
            }
            int[] g = new int[c.get("greedy_ids").size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = c.get("greedy_ids").get(i).asInt();
            }
            float[] l = new float[c.get("last_prompt_logits").size()];
            for (int i = 0; i < l.length; i++) {
                l[i] = (float) c.get("last_prompt_logits").get(i).asDouble();
            }
            out.add(new Case(p, g, l));
        }
        return out;
    }

    static float[] lastLogits(dev.mllmrec.core.lm.PolicyModel model, int[] prompt) {
        try (GradMode ignored = GradMode.disabled(); NDManager m = model.manager().newSubManager()) {
            long[] ids = Arrays.stream(prompt).asLongStream().toArray();
            NDArray logits = model.logits(model.hidden(m.create(ids, new Shape(1, ids.length)), null, null, null));
            return logits.get(new NDIndex("0, -1, :")).toFloatArray();
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    static GenerationConfig greedy(int n, boolean cache) {
        return GenerationConfig.builder().optSampling(Sampling.greedy()).optMaxNewTokens(n).optStopOnEos(true)
                .optStopOnNewline(false).optUseCache(cache).build();
    }

    private void reproduces(String name) throws IOException {
        Path dir = folder(name);
        List<Case> cases = cases(dir);
        try (HfDecoder model = HfDecoder.load(dir)) {
            Generator gen = new Generator(model, new IdTokenizer(model.vocabSize(),
                    model.config().eosIds().length > 0 ? model.config().eosIds()[0] : -1));
            double worst = 0;
            for (Case c : cases) {
                double diff = maxAbsDiff(lastLogits(model, c.prompt()), c.logits());
                worst = Math.max(worst, diff);
                assertThat(diff).as("%s %s logits", name, Arrays.toString(c.prompt())).isLessThan(1e-4);
                Generation g = gen.generate(List.of(c.prompt()), greedy(c.greedy().length, true)).get(0);
                assertThat(g.tokens()).as("%s %s greedy", name, Arrays.toString(c.prompt()))
                        .containsExactly(c.greedy());
            }
            System.out.printf("%s: max |logit - reference| = %.3g over %d cases%n", name, worst, cases.size());
        }
    }

    @Test
    void stories260kReproducesItsReference() throws IOException {
        reproduces("stories260K");
    }

    @Test
    void tinyQwen3ReproducesItsReference() throws IOException {
        reproduces("tiny-qwen3");
    }

    @Test
    void kvCacheDecodingEqualsFullRecomputation() throws IOException {
        for (String name : List.of("stories260K", "tiny-qwen3")) {
            Path dir = folder(name);
            try (HfDecoder model = HfDecoder.load(dir)) {
                Generator gen = new Generator(model, new IdTokenizer(model.vocabSize(), -1));
                List<int[]> prompts = new ArrayList<>();
                for (Case c : cases(dir)) {
                    prompts.add(c.prompt());
                }
                // A padded batch of prompts of different lengths, with and without the cache.
                List<Generation> cached = gen.generate(prompts, greedy(12, true));
                List<Generation> full = gen.generate(prompts, greedy(12, false));
                for (int i = 0; i < prompts.size(); i++) {
                    assertThat(cached.get(i).tokens()).containsExactly(full.get(i).tokens());
                    float[] a = cached.get(i).logProbs();
                    float[] b = full.get(i).logProbs();
                    for (int t = 0; t < a.length; t++) {
                        assertThat((double) a[t]).isCloseTo(b[t], org.assertj.core.data.Offset.offset(1e-4));
                    }
                    // and alone, unpadded
                    assertThat(gen.generate(List.of(prompts.get(i)), greedy(12, true)).get(0).tokens())
                            .containsExactly(cached.get(i).tokens());
                }
            }
        }
    }

    @Test
    void likelihoodScoringMatchesTheFullForward() throws IOException {
        Path dir = folder("tiny-qwen3");
        try (HfDecoder model = HfDecoder.load(dir); NDManager m = NDManager.newBaseManager()) {
            int[] prompt = {1, 17, 42, 99, 250};
            int[] answer = {153, 97, 195};
            int[] all = {1, 17, 42, 99, 250, 153, 97, 195};
            double expected = 0;
            try (GradMode ignored = GradMode.disabled()) {
                NDArray logp = model.forward(m.create(Arrays.stream(all).asLongStream().toArray(), new Shape(1, 8)))
                        .logSoftmax(-1);
                for (int t = 0; t < answer.length; t++) {
                    expected += logp.getFloat(0, prompt.length - 1 + t, answer[t]);
                }
            }
            SequenceScorer scorer = new SequenceScorer(model, 0);
            assertThat(scorer.logLikelihood(prompt, answer)).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(1e-4));
            List<double[]> ranked = scorer.score(List.of(new ScoringRequest(prompt,
                    List.of(new int[] {153}, new int[] {12}, answer)), new ScoringRequest(new int[] {1},
                    List.of(new int[] {5, 6}))));
            assertThat(ranked.get(0)[2]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    static HfConfig qwen2Config() {
        return new HfConfig(HfConfig.Family.QWEN2, 32, 48, 2, 4, 2, 8, 97, 64, 1e-6, 1e6, false, false, false, 1,
                new int[] {2});
    }

    @Test
    void halfPrecisionAndShardedFoldersLoadAsFloat32(@TempDir Path tmp) {
        HfConfig config = qwen2Config();
        Map<String, float[]> values = HfDecoder.randomWeights(config, 3, 0.2);
        int[] prompt = {1, 5, 9, 33, 96};
        for (String dtype : List.of("F32", "BF16", "F16")) {
            Path dir = tmp.resolve(dtype);
            HfDecoder.writeFolder(dir, config, values, dtype);
            Map<String, float[]> rounded = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                float[] r = e.getValue().clone();
                for (int i = 0; i < r.length; i++) {
                    r[i] = dtype.equals("BF16") ? Float.intBitsToFloat(SafeTensors.floatToBf16(r[i]) << 16)
                            : dtype.equals("F16") ? SafeTensors.halfToFloat(SafeTensors.floatToHalf(r[i])) : r[i];
                }
                rounded.put(e.getKey(), r);
            }
            try (HfDecoder fromFile = HfDecoder.load(dir); HfDecoder inMemory = HfDecoder.create(config, rounded)) {
                assertThat(lastLogits(fromFile, prompt)).containsExactly(lastLogits(inMemory, prompt));
                assertThat(fromFile.fingerprint()).isEqualTo(inMemory.fingerprint());
            }
        }
        // The F32 folder cut into two shards with an index.
        Path sharded = tmp.resolve("sharded");
        Map<String, long[]> shapes = HfDecoder.expectedShapes(config);
        Map<String, SafeTensors.Tensor> first = new java.util.LinkedHashMap<>();
        Map<String, SafeTensors.Tensor> second = new java.util.LinkedHashMap<>();
        Map<String, String> weightMap = new java.util.LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(e.getKey(), new SafeTensors.Tensor("F32", e.getValue(), values.get(e.getKey())));
            weightMap.put(e.getKey(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafeTensors.write(sharded.resolve("model-00001-of-00002.safetensors"), first, Map.of());
        SafeTensors.write(sharded.resolve("model-00002-of-00002.safetensors"), second, Map.of());
        Json.writePretty(sharded.resolve(SafeTensors.INDEX_FILE), Map.of("metadata", Map.of(), "weight_map",
                weightMap));
        Json.writePretty(sharded.resolve(HfConfig.FILE), config.toJson());
        try (HfDecoder a = HfDecoder.load(sharded); HfDecoder b = HfDecoder.load(tmp.resolve("F32"))) {
            assertThat(lastLogits(a, prompt)).containsExactly(lastLogits(b, prompt));
            // Qwen2 has q/k/v biases and no o bias.
            try (HfDecoder r = HfDecoder.random(config, 3, 0.2)) {
                assertThat(r.fingerprint()).isEqualTo(a.fingerprint());
            }
            assertThat(a.baseWeights()).containsKey("model.layers.0.self_attn.q_proj.bias")
                    .doesNotContainKey("model.layers.0.self_attn.o_proj.bias").containsKey("lm_head.weight");
        }
    }

    @Test
    void badFoldersFailNamingTheProblem(@TempDir Path tmp) throws IOException {
        HfConfig config = qwen2Config();
        Map<String, float[]> values = HfDecoder.randomWeights(config, 3, 0.2);
        Path good = tmp.resolve("good");
        HfDecoder.writeFolder(good, config, values, "F32");
        // Unsupported architecture.
        Path gpt2 = Files.createDirectories(tmp.resolve("gpt2"));
        Files.writeString(gpt2.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"], "
                + "\"model_type\": \"gpt2\"}");
        assertThatThrownBy(() -> HfDecoder.load(gpt2)).hasMessageContaining("unsupported architecture")
                .hasMessageContaining("GPT2LMHeadModel");
        // A missing tensor.
        Map<String, float[]> missing = new java.util.LinkedHashMap<>(values);
        missing.remove("model.layers.1.mlp.up_proj.weight");
        assertThatThrownBy(() -> HfDecoder.create(config, missing))
                .hasMessageContaining("'model.layers.1.mlp.up_proj.weight' is missing").hasMessageContaining("[48, 32]");
        // A mis-shaped tensor: the file says [32, 48] where [48, 32] is expected.
        Path bad = tmp.resolve("misshaped");
        Map<String, SafeTensors.Tensor> tensors = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : HfDecoder.expectedShapes(config).entrySet()) {
            long[] s = e.getKey().equals("model.layers.0.mlp.gate_proj.weight") ? new long[] {32, 48} : e.getValue();
            tensors.put(e.getKey(), new SafeTensors.Tensor("F32", s, values.get(e.getKey())));
        }
        SafeTensors.write(bad.resolve(SafeTensors.SINGLE_FILE), tensors, Map.of());
        Json.writePretty(bad.resolve(HfConfig.FILE), config.toJson());
        assertThatThrownBy(() -> HfDecoder.load(bad)).hasMessageContaining("'model.layers.0.mlp.gate_proj.weight'")
                .hasMessageContaining("has shape [32, 48], expected [48, 32]");
        // A truncated file.
        Path cut = Files.createDirectories(tmp.resolve("truncated"));
        Files.copy(good.resolve(HfConfig.FILE), cut.resolve(HfConfig.FILE));
        byte[] bytes = Files.readAllBytes(good.resolve(SafeTensors.SINGLE_FILE));
        Files.write(cut.resolve(SafeTensors.SINGLE_FILE), Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> HfDecoder.load(cut)).hasMessageContaining("is truncated")
                .hasMessageContaining(SafeTensors.SINGLE_FILE);
        // No weights at all.
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.copy(good.resolve(HfConfig.FILE), empty.resolve(HfConfig.FILE));
        assertThatThrownBy(() -> HfDecoder.load(empty)).hasMessageContaining("No weights in");
    }

    @Test
    void halfPrecisionConversionIsExact() {
        assertThat(SafeTensors.halfToFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(SafeTensors.halfToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(SafeTensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(SafeTensors.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(Float.isInfinite(SafeTensors.halfToFloat((short) 0x7c00))).isTrue();
        for (int h = 0; h < 0x7c00; h += 7) {
            assertThat(SafeTensors.floatToHalf(SafeTensors.halfToFloat((short) h))).isEqualTo((short) h);
        }
        assertThat(Float.intBitsToFloat(SafeTensors.floatToBf16(1.00390625f) << 16)).isEqualTo(1f);
    }

    @Test
    void aScoringPassIsBoundedByTheVocabulary() {
        assertThat(dev.mllmrec.core.rec.LikelihoodRecommenderAccess.answersPerPass(8_000, false)).isEqualTo(512);
        assertThat(dev.mllmrec.core.rec.LikelihoodRecommenderAccess.answersPerPass(40_000, false)).isEqualTo(512);
        assertThat(dev.mllmrec.core.rec.LikelihoodRecommenderAccess.answersPerPass(151_936, true)).isEqualTo(13);
    }
}
