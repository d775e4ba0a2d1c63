package dev.mllmrec.core.lm.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.TrainablePolicies;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.hf.HfConfig;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.hf.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SFT of a pretrained decoder through the {@link TrainablePolicy} seam: LoRA adapters alone train, a killed and
 * resumed run ends bit-identical, checkpoints hold the adapters and load back onto their base.
 */
class LoraSftTest {

    /** A tiny Qwen3-architecture decoder over the test tokenizer's vocabulary (q/k norms, GQA 2/1, head_dim 8). */
    static final HfConfig CONFIG = new HfConfig(HfConfig.Family.QWEN3, 16, 32, 2, 2, 1, 8,
            SftTrainerTest.TOK.vocabSize(), 256, 1e-6, 1e6, true, false, false, 0, new int[] {1});

    private static HfDecoder decoder(long loraSeed) {
        HfDecoder m = HfDecoder.create(CONFIG, HfDecoder.randomWeights(CONFIG, 5, 0.1));
        m.enableLora(new LoraConfig(4, 8, 0.1, EnumSet.of(LoraConfig.Target.Q, LoraConfig.Target.V,
                LoraConfig.Target.UP), loraSeed));
        return m;
    }

    private static Map<String, float[]> values(Map<String, NDArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @Test
    void oneLoraStepChangesTheAdaptersOnlyAndTheCheckpointHoldsThemAlone(@TempDir Path dir) {
        try (HfDecoder model = decoder(11)) {
            Map<String, float[]> base = values(model.baseWeights());
            Map<String, float[]> before = values(model.parameters());
            assertThat(before).hasSize(2 * 3 * 2); // A and B of q, v, up in 2 layers
            // Without weight decay, which would also shrink A (decoupled decay acts on every matrix).
            SftConfig cfg = SftTrainerTest.config().optEpochs(1).optBatchSize(64).optDropout(0.1).optWeightDecay(0)
                    .build();
            SftResult r = SftTrainer.builder().setModel(model).setTokenizer(SftTrainerTest.TOK).optConfig(cfg)
                    .optCheckpointDir(dir).build().train(SftTrainerTest.examples(16, 2));
            assertThat(r.steps()).isEqualTo(1);
            assertThat(r.parameters()).isEqualTo(model.parameterCount()).isLessThan(model.baseParameterCount());
            values(model.baseWeights()).forEach((k, v) -> assertThat(v).as(k).containsExactly(base.get(k)));
            Map<String, float[]> after = values(model.parameters());
            int changed = 0;
            for (String k : before.keySet()) {
                if (!java.util.Arrays.equals(before.get(k), after.get(k))) {
                    changed++;
                    assertThat(k).endsWith("lora_B.weight"); // A's gradient is proportional to B, which was zero
                }
            }
            assertThat(changed).isEqualTo(6);

            Path ckpt = SftCheckpoint.latest(dir).orElseThrow();
            assertThat(ckpt.resolve(HfDecoder.ADAPTER_WEIGHTS)).isRegularFile();
            assertThat(ckpt.resolve(HfDecoder.ADAPTER_CONFIG)).isRegularFile();
            assertThat(ckpt.resolve(HfDecoder.BASE_FILE)).isRegularFile();
            assertThat(ckpt.resolve(CausalLm.WEIGHTS_FILE)).doesNotExist();
            assertThat(TrainablePolicies.isAdapterCheckpoint(ckpt)).isTrue();
            assertThat(SftCheckpoint.readState(ckpt).policy()).isEqualTo(model.signature());
            assertThat(SftCheckpoint.readState(ckpt).model()).isNull();
            // The adapters load back onto the same base (the checkpoint records no folder for weights in memory).
            try (HfDecoder other = HfDecoder.create(CONFIG, HfDecoder.randomWeights(CONFIG, 5, 0.1))) {
                other.loadTrainable(ckpt);
                values(other.parameters()).forEach((k, v) -> assertThat(v).as(k).containsExactly(after.get(k)));
            }
            try (HfDecoder otherBase = HfDecoder.create(CONFIG, HfDecoder.randomWeights(CONFIG, 6, 0.1))) {
                assertThatThrownBy(() -> otherBase.loadTrainable(ckpt)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("another base model");
            }
            assertThatThrownBy(() -> TrainablePolicies.load(ckpt, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--base-model");
        }
    }

    @Test
    void aKilledAndResumedLoraSftEndsBitIdenticalToAnUninterruptedOne(@TempDir Path dir) {
        List<SftExample> data = SftTrainerTest.examples(40, 2);
        // Dropout on the adapters' input, warm-up and cosine decay, gradient accumulation: all must resume exactly.
        SftConfig cfg = SftTrainerTest.config().optEpochs(2).optCheckpointEverySteps(3).optDropout(0.1)
                .optGradientAccumulation(2).optBatchSize(4).build();
        Map<String, float[]> straight;
        SftResult straightResult;
        try (HfDecoder m = decoder(11)) {
            straightResult = SftTrainer.builder().setModel(m).setTokenizer(SftTrainerTest.TOK).optConfig(cfg)
                    .optCheckpointDir(dir.resolve("a")).build().train(data);
            straight = values(m.parameters());
        }
        Path ckpt = dir.resolve("b");
        try (HfDecoder m = decoder(11)) {
            AtomicInteger steps = new AtomicInteger();
            SftTrainer[] holder = new SftTrainer[1];
            holder[0] = SftTrainer.builder().setModel(m).setTokenizer(SftTrainerTest.TOK).optConfig(cfg)
                    .optCheckpointDir(ckpt).addListener(new SftListener() {
                        @Override
                        public void onStep(Step step) {
                            if (steps.incrementAndGet() == 4) {
                                holder[0].requestStop(); // "killed" one step after the step-3 checkpoint
                            }
                        }
                    }).build();
            SftResult partial = holder[0].train(data);
            assertThat(partial.completed()).isFalse();
        }
        assertThat(SftCheckpoint.latest(ckpt).orElseThrow().getFileName().toString()).isEqualTo("step-00000003");
        try (HfDecoder m = decoder(999)) { // other initial adapters: the checkpoint overwrites them
            SftResult resumed = SftTrainer.builder().setModel(m).setTokenizer(SftTrainerTest.TOK).optConfig(cfg)
                    .optCheckpointDir(ckpt).build().train(data);
            assertThat(resumed.resumed()).isTrue();
            assertThat(resumed.completed()).isTrue();
            assertThat(resumed.steps()).isEqualTo(straightResult.steps()).isGreaterThan(4);
            assertThat(resumed.trainLoss()).isEqualTo(straightResult.trainLoss());
            Map<String, float[]> got = values(m.parameters());
            assertThat(got.keySet()).isEqualTo(straight.keySet());
            straight.forEach((k, v) -> assertThat(got.get(k)).as(k).containsExactly(v));
        }
    }

    @Test
    void aCheckpointOfTheBuiltInPolicyRefusesAPretrainedModel(@TempDir Path dir) {
        SftConfig cfg = SftTrainerTest.config().optEpochs(1).build();
        try (CausalLm lm = CausalLm.create(SftTrainerTest.CONFIG, 9)) {
            SftTrainer.builder().setModel(lm).setTokenizer(SftTrainerTest.TOK).optConfig(cfg).optCheckpointDir(dir)
                    .build().train(SftTrainerTest.examples(16, 2));
            Path ckpt = SftCheckpoint.latest(dir).orElseThrow();
            assertThat(SftCheckpoint.readState(ckpt).policy()).isEqualTo(lm.signature());
            assertThat(SftCheckpoint.readState(ckpt).model()).isEqualTo(lm.config());
            try (TrainablePolicy loaded = TrainablePolicies.load(ckpt, null)) {
                assertThat(loaded).isInstanceOf(CausalLm.class);
                assertThat(loaded.signature()).isEqualTo(lm.signature());
            }
        }
        try (HfDecoder m = decoder(11)) {
            assertThatThrownBy(() -> SftTrainer.builder().setModel(m).setTokenizer(SftTrainerTest.TOK).optConfig(cfg)
                    .optCheckpointDir(dir).build().train(SftTrainerTest.examples(16, 2)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("but the model is HfDecoder");
        }
        assertThat(Files.isDirectory(dir)).isTrue();
    }
}
