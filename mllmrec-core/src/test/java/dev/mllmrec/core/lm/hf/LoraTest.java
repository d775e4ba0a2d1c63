package dev.mllmrec.core.lm.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mllmrec.core.lm.Dropout;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.optim.Adam;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraTest {

    private static final int[] SEQ = {1, 17, 42, 99, 250, 7, 3, 64};
    private static final int[] PROMPT = {1, 5, 5, 5, 123, 7, 299, 64, 3};

    private static LoraConfig allTargets() {
        return new LoraConfig(4, 8, 0.0, EnumSet.allOf(LoraConfig.Target.class), 11L);
    }

    private static Map<String, float[]> snapshot(Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** One AdamW step on next-token cross-entropy over {@link #SEQ}. */
    private static void trainStep(HfDecoder model, double lr, Dropout dropout) {
        try (NDManager step = model.manager().newSubManager();
             Adam opt = Adam.adamW(model.parameters(), model.manager(), 0.9, 0.999, 1e-8, 0.0);
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            long[] in = new long[SEQ.length - 1];
            long[] target = new long[SEQ.length - 1];
            for (int i = 0; i < in.length; i++) {
                in[i] = SEQ[i];
                target[i] = (long) i * model.vocabSize() + SEQ[i + 1];
            }
            NDArray hidden = model.hidden(step.create(in, new Shape(1, in.length)), null, null, null, dropout);
            NDArray loss = model.logits(hidden).logSoftmax(-1).reshape(-1).take(step.create(target)).sum().neg();
            gc.backward(loss);
            opt.update(lr, 1.0);
        }
    }

    private static Path qwen3() {
        return HfDecoderTest.folder("tiny-qwen3");
    }

    @Test
    void freshAdaptersLeaveOutputsUnchangedAndOnlyAdaptersTrain() {
        try (HfDecoder model = HfDecoder.load(qwen3())) {
            float[] base = HfDecoderTest.lastLogits(model, PROMPT);
            Map<String, float[]> baseWeights = snapshot(model.baseWeights());
            model.enableLora(allTargets());
            assertThat(model.parameters()).hasSize(2 * 7 * 2).allSatisfy((k, v) -> assertThat(k).contains(".lora_"));
            assertThat(HfDecoderTest.lastLogits(model, PROMPT)).containsExactly(base);

            Map<String, float[]> adaptersBefore = snapshot(model.parameters());
            trainStep(model, 1e-2, new Dropout(0.1, 5));
            Map<String, float[]> after = snapshot(model.baseWeights());
            for (String name : baseWeights.keySet()) {
                assertThat(after.get(name)).as(name).containsExactly(baseWeights.get(name));
            }
            long changed = model.parameters().entrySet().stream()
                    .filter(e -> !java.util.Arrays.equals(e.getValue().toFloatArray(), adaptersBefore.get(e.getKey())))
                    .count();
            // B starts at zero, so the first step moves every B (A's gradient is B^T times something: zero).
            assertThat(changed).isEqualTo(14);
            assertThat(HfDecoderTest.maxAbsDiff(HfDecoderTest.lastLogits(model, PROMPT), base)).isGreaterThan(1e-3);
        }
    }

    @Test
    void aFrozenViewKeepsTheAdaptersOfItsMomentOnTheSharedBase() {
        try (HfDecoder model = HfDecoder.load(qwen3())) {
            assertThatThrownBy(model::frozenView).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no adapters");
            model.enableLora(allTargets());
            trainStep(model, 1e-2, null);
            float[] atSft = HfDecoderTest.lastLogits(model, PROMPT);
            try (PolicyModel reference = model.frozenView()) {
                assertThat(HfDecoderTest.lastLogits(reference, PROMPT)).containsExactly(atSft);
                assertThat(reference.parameters().keySet()).isEqualTo(model.parameters().keySet());
                assertThat(reference.manager().getDevice()).isEqualTo(model.manager().getDevice());
                trainStep(model, 1e-2, null);
                trainStep(model, 1e-2, null);
                // The policy moved; the view still computes the policy of the moment it was taken.
                assertThat(HfDecoderTest.maxAbsDiff(HfDecoderTest.lastLogits(model, PROMPT), atSft))
                        .isGreaterThan(1e-3);
                assertThat(HfDecoderTest.lastLogits(reference, PROMPT)).containsExactly(atSft);
                model.mergeAdapters();
                assertThatThrownBy(() -> HfDecoderTest.lastLogits(reference, PROMPT))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("merged");
                assertThatThrownBy(model::frozenView).hasMessageContaining("merged");
                model.unmergeAdapters();
            }
            // Closing the view frees its adapter copies only.
            assertThat(model.parameters().values()).allSatisfy(a -> assertThat(a.toFloatArray()).isNotEmpty());
        }
    }

    @Test
    void mergeThenUnmergeRoundTripsAndAdaptersSaveAndLoadOnTheirOwn(@TempDir Path tmp) {
        Path adapters = tmp.resolve("adapters");
        float[] trained;
        try (HfDecoder model = HfDecoder.load(qwen3())) {
            Map<String, float[]> baseWeights = snapshot(model.baseWeights());
            model.enableLora(allTargets());
            trainStep(model, 1e-2, null);
            trainStep(model, 1e-2, null);
            trained = HfDecoderTest.lastLogits(model, PROMPT);

            model.mergeAdapters();
            assertThat(model.isMerged()).isTrue();
            assertThat(HfDecoderTest.maxAbsDiff(HfDecoderTest.lastLogits(model, PROMPT), trained)).isLessThan(1e-4);
            assertThat(model.baseWeights().get("model.layers.0.self_attn.q_proj.weight").toFloatArray())
                    .isNotEqualTo(baseWeights.get("model.layers.0.self_attn.q_proj.weight"));
            model.unmergeAdapters();
            for (Map.Entry<String, NDArray> e : model.baseWeights().entrySet()) {
                assertThat(HfDecoderTest.maxAbsDiff(e.getValue().toFloatArray(), baseWeights.get(e.getKey())))
                        .as(e.getKey()).isLessThan(1e-6);
            }
            assertThat(HfDecoderTest.maxAbsDiff(HfDecoderTest.lastLogits(model, PROMPT), trained)).isLessThan(1e-5);
            model.saveAdapters(adapters);
        }
        try (HfDecoder fresh = HfDecoder.load(qwen3())) {
            fresh.loadAdapters(adapters);
            assertThat(fresh.loraConfig().rank()).isEqualTo(4);
            assertThat(fresh.loraConfig().targets()).isEqualTo(EnumSet.allOf(LoraConfig.Target.class));
            assertThat(HfDecoderTest.lastLogits(fresh, PROMPT)).containsExactly(trained);
        }
        // Another base of the same architecture: refused.
        HfConfig config = HfConfig.read(qwen3());
        try (HfDecoder other = HfDecoder.create(config, HfDecoder.randomWeights(config, 1, 0.1))) {
            assertThatThrownBy(() -> other.loadAdapters(adapters)).hasMessageContaining("another base model");
            assertThat(other.loraConfig()).isNull();
        }
    }

    @Test
    void targetsParse() {
        assertThat(LoraConfig.parseTargets("q,k_proj, self_attn.v_proj,O")).containsExactlyInAnyOrder(
                LoraConfig.Target.Q, LoraConfig.Target.K, LoraConfig.Target.V, LoraConfig.Target.O);
        assertThat(LoraConfig.parseTargets("all")).hasSize(7);
        assertThatThrownBy(() -> LoraConfig.parseTargets("q,lm_head")).hasMessageContaining("Unknown LoRA target "
                + "'lm_head'");
        assertThatThrownBy(() -> new LoraConfig(0, 8, 0, EnumSet.of(LoraConfig.Target.Q), 1))
                .hasMessageContaining("rank");
    }
}
