package dev.mllmrec.core.lm.sft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BestEpochKeeperTest {

    static final LmConfig TINY = LmConfig.Preset.TINY.config(50);

    @Test
    void restoresTheWeightsOfTheBestEpochBreakingTiesWithTheSecondMetric(@TempDir Path dir) throws Exception {
        try (CausalLm lm = CausalLm.create(TINY, 1); CausalLm other = CausalLm.create(TINY, 2);
             CausalLm third = CausalLm.create(TINY, 3)) {
            Map<String, float[]> w0 = lm.parameterValues();
            BestEpochKeeper keeper = new BestEpochKeeper(lm, dir, "HR@3", "NDCG@3");
            keeper.onEpochEnd(epoch(0, 0.70, 0.50));
            lm.setParameterValues(other.parameterValues());
            keeper.onEpochEnd(epoch(1, 0.70, 0.55)); // same HR@3, better NDCG@3: the new best
            Map<String, float[]> w1 = lm.parameterValues();
            lm.setParameterValues(third.parameterValues());
            keeper.onEpochEnd(epoch(2, 0.69, 0.90)); // worse HR@3: ignored
            keeper.onEpochEnd(new SftListener.Epoch(3, 40, 1.0, Map.of())); // not validated: ignored

            assertThat(keeper.restore()).hasValueSatisfying(b -> assertThat(b.epoch()).isEqualTo(1));
            assertThat(lm.parameterValues().get("tok_emb")).containsExactly(w1.get("tok_emb"));
            assertThat(w1.get("tok_emb")).isNotEqualTo(w0.get("tok_emb"));
            // Only the best epoch's weights stay on disk.
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactly("best.json", "epoch-0001.params");
            }
            // A keeper over the same directory (a resumed run) continues from the recorded best.
            lm.setParameterValues(third.parameterValues());
            BestEpochKeeper resumed = new BestEpochKeeper(lm, dir, "HR@3", "NDCG@3");
            assertThat(resumed.best()).hasValueSatisfying(b -> assertThat(b.validation().get("HR@3")).isEqualTo(0.70));
            resumed.onEpochEnd(epoch(4, 0.70, 0.54)); // not better than the recorded 0.70 / 0.55
            assertThat(resumed.restore()).hasValueSatisfying(b -> assertThat(b.epoch()).isEqualTo(1));
            assertThat(lm.parameterValues().get("tok_emb")).containsExactly(w1.get("tok_emb"));
        }
    }

    @Test
    void withoutAValidatedEpochRestoreLeavesTheModelAlone(@TempDir Path dir) {
        try (CausalLm lm = CausalLm.create(TINY, 1)) {
            float[] before = lm.parameterValues().get("tok_emb");
            BestEpochKeeper keeper = new BestEpochKeeper(lm, dir.resolve("none"), "HR@3", "NDCG@3");
            assertThat(keeper.restore()).isEmpty();
            assertThat(lm.parameterValues().get("tok_emb")).containsExactly(before);
            assertThat(List.of(dir.resolve("none").toFile().exists())).containsExactly(false);
        }
    }

    private static SftListener.Epoch epoch(int e, double hr3, double ndcg3) {
        return new SftListener.Epoch(e, 10L * (e + 1), 1.0, Map.of("HR@3", hr3, "NDCG@3", ndcg3));
    }
}
