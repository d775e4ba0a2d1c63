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

    static float[] lastLogits(HfDecoder model, int[] prompt) {
        try (GradMode ignored = GradMode.disabled(); NDManager m = model.manager().newSubManager()) {
            long[] ids = Arrays.stream(prompt).asLongStream().toArray();
            NDArray logits = model.forward(m.create(ids, new Shape(1, ids.length)));
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
}
