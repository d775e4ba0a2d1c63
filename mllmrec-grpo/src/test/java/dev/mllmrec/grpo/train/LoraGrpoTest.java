package dev.mllmrec.grpo.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.hf.HfConfig;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.hf.LoraConfig;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.grpo.rollout.GrpoFixtures;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO of a pretrained decoder's LoRA adapters through the same trainer: adapters alone move, resume is exact. */
class LoraGrpoTest {

    private static final WordTokenizer TOKENIZER = GrpoFixtures.tokenizer();
    private static final HfConfig CONFIG = new HfConfig(HfConfig.Family.LLAMA, 16, 32, 2, 2, 1, 8,
            TOKENIZER.vocabSize(), 512, 1e-5, 1e4, true, false, false, 0, new int[] {1});

    private static HfDecoder policy() {
        HfDecoder m = HfDecoder.create(CONFIG, HfDecoder.randomWeights(CONFIG, 3, 0.2));
        m.enableLora(new LoraConfig(4, 8, 0.0, EnumSet.allOf(LoraConfig.Target.class), 7L));
        return m;
    }

    /** A policy whose adapters are not fresh (B is not zero), as after LoRA SFT: the reference differs from the base. */
    private static HfDecoder afterSft() {
        HfDecoder m = policy();
        for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
            if (e.getKey().endsWith("lora_B.weight")) {
                float[] v = new float[(int) e.getValue().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.05 * Math.sin(i + e.getKey().length()));
                }
                e.getValue().set(v);
            }
        }
        return m;
    }

    /** The frozen reference: the same base without adapters (equal to the fresh policy, whose B is zero). */
    private static HfDecoder reference() {
        return HfDecoder.create(CONFIG, HfDecoder.randomWeights(CONFIG, 3, 0.2));
    }

    private static Map<String, float[]> values(Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static GrpoConfig config(int steps) {
        return GrpoConfig.builder().optPromptsPerStep(2).optNumGenerations(4).optMaxCompletionTokens(6)
                .optLearningRate(1e-2).optSeed(5).optMaxSteps(steps).optCheckpointEverySteps(1).build();
    }

    private static DefaultGrpoTrainer trainer(HfDecoder policy, PolicyModel reference, GrpoConfig config, Path dir,
                                              GrpoListener listener) {
        DefaultGrpoTrainer.Builder b = DefaultGrpoTrainer.builder().setPolicy(policy).setTokenizer(TOKENIZER)
                .optReference(reference).optRewards(GrpoFixtures.variedRewards()).optConfig(config)
                .optCheckpointDir(dir);
        if (listener != null) {
            b.addListener(listener);
        }
        return b.build();
    }

    @Test
    void aFrozenViewAsReferenceTrainsExactlyAsASecondCopyOfThePolicy(@TempDir Path dir) {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(5);
        Map<String, float[]> withCopy;
        try (HfDecoder policy = afterSft(); HfDecoder copy = afterSft()) {
            trainer(policy, copy, config(3), dir.resolve("copy"), null).train(prompts);
            withCopy = values(policy.parameters());
        }
        try (HfDecoder policy = afterSft(); PolicyModel view = policy.frozenView()) {
            trainer(policy, view, config(3), dir.resolve("view"), null).train(prompts);
            values(policy.parameters()).forEach((k, v) -> assertThat(v).as(k).containsExactly(withCopy.get(k)));
        }
    }

    @Test
    void aGrpoStepMovesTheAdaptersOnlyAndAKilledRunResumesBitIdentical(@TempDir Path dir) {
        List<GrpoPrompt> prompts = GrpoFixtures.grpoPrompts(5);
        Map<String, float[]> uninterrupted;
        try (HfDecoder policy = policy(); HfDecoder reference = reference()) {
            Map<String, float[]> base = values(policy.baseWeights());
            Map<String, float[]> before = values(policy.parameters());
            trainer(policy, reference, config(1), dir.resolve("one"), null).train(prompts);
            values(policy.baseWeights()).forEach((k, v) -> assertThat(v).as(k).containsExactly(base.get(k)));
            Map<String, float[]> after = values(policy.parameters());
            long movedB = before.keySet().stream().filter(k -> k.endsWith("lora_B.weight"))
                    .filter(k -> !java.util.Arrays.equals(before.get(k), after.get(k))).count();
            assertThat(movedB).isPositive();
        }
        try (HfDecoder policy = policy(); HfDecoder reference = reference()) {
            trainer(policy, reference, config(4), dir.resolve("full"), null).train(prompts);
            uninterrupted = values(policy.parameters());
        }
        Path resumed = dir.resolve("resumed");
        try (HfDecoder policy = policy(); HfDecoder reference = reference()) {
            GrpoListener killer = new GrpoListener() {
                @Override
                public void onStep(Step step) {
                    if (step.step() == 3) {
                        throw new IllegalStateException("killed");
                    }
                }
            };
            DefaultGrpoTrainer first = trainer(policy, reference, config(4), resumed, killer);
            assertThatThrownBy(() -> first.train(prompts)).hasMessage("killed");
        }
        assertThat(GrpoCheckpoints.readState(GrpoCheckpoints.find(resumed, GrpoCheckpoints.LATEST).orElseThrow()).step()).isEqualTo(2);
        assertThat(GrpoCheckpoints.readState(GrpoCheckpoints.find(resumed, GrpoCheckpoints.LATEST).orElseThrow()).policy()).contains("LoRA r=4");
        try (HfDecoder policy = policy(); HfDecoder reference = reference()) {
            GrpoResult result = trainer(policy, reference, config(4), resumed, null).train(prompts);
            assertThat(result.resumed()).isTrue();
            assertThat(result.steps()).isEqualTo(4);
            Map<String, float[]> got = values(policy.parameters());
            uninterrupted.forEach((k, v) -> assertThat(got.get(k)).as(k).containsExactly(v));
        }
    }
}
