package dev.mllmrec.grpo.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupAdvantageTest {

    // Two groups of G = 4, group-major. Group 0 has a hit, two misses and a malformed answer; group 1 is all misses.
    private static final float[] REWARDS = {1.0f, 0.3f, -1.0f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f};

    private static GroupAdvantage advantage(AdvantageEstimator estimator) {
        return GroupAdvantage.builder().setGroupSize(4).optEstimator(estimator).build();
    }

    @Test
    void grpoUsesGroupMeanAndSampleStdPlusEpsilon() {
        // Group 0: mean = (1 + 0.3 - 1 + 0.3) / 4 = 0.15; deviations 0.85, 0.15, -1.15, 0.15;
        // sum of squares = 0.7225 + 0.0225 + 1.3225 + 0.0225 = 2.09; sample std = sqrt(2.09 / 3) = 0.8346656;
        // (the population std would be sqrt(2.09 / 4) = 0.7228)
        // A = dev / (0.8346656 + 1e-4): 0.85 / 0.8347656 = 1.0182499, 0.15 / 0.8347656 = 0.1796912,
        // -1.15 / 0.8347656 = -1.3776322.
        // Group 1: all 0.3 -> zero variance -> exactly 0.
        GroupAdvantages a = advantage(AdvantageEstimator.GRPO).compute(REWARDS);
        assertThat(a.advantages()).containsExactly(new float[] {1.0182499f, 0.1796912f, -1.3776322f, 0.1796912f,
            0f, 0f, 0f, 0f}, within(1e-6f));
        assertThat(a.groupMeans()).containsExactly(new float[] {0.15f, 0.3f}, within(1e-6f));
        assertThat(a.groupStds()).containsExactly(new float[] {0.8346656f, 0f}, within(1e-6f));
        assertThat(a.zeroVarianceGroups()).isEqualTo(1);
        assertThat(a.zeroVarianceFraction()).isEqualTo(0.5);
        for (int i = 4; i < 8; i++) {
            assertThat(a.advantages()[i]).isEqualTo(0f); // exactly zero, not 1e-8
        }
    }

    @Test
    void batchScalingCentresPerGroupButDividesByTheBatchStd() {
        // All 8 rewards: mean = 1.8 / 8 = 0.225; deviations from it 0.775, 0.075, -1.225, 0.075 and 4 x 0.075;
        // sum of squares = 0.600625 + 0.005625 + 1.500625 + 5 x 0.005625 = 2.135; sample std = sqrt(2.135 / 7)
        // = 0.5522681. A = (r - group mean) / (0.5522681 + 1e-4): 0.85 / 0.5523681 = 1.5388290,
        // 0.15 / 0.5523681 = 0.2715581, -1.15 / 0.5523681 = -2.0819452; group 1 is still exactly 0.
        GroupAdvantages a = advantage(AdvantageEstimator.GRPO_BATCH_STD).compute(REWARDS);
        assertThat(a.advantages()).containsExactly(new float[] {1.5388290f, 0.2715581f, -2.0819452f, 0.2715581f,
            0f, 0f, 0f, 0f}, within(1e-6f));
        assertThat(a.scale()).containsExactly(new float[] {0.5523681f, 0.5523681f}, within(1e-6f));
        assertThat(a.zeroVarianceGroups()).isEqualTo(1);
    }

    @Test
    void drGrpoOnlySubtractsTheGroupMean() {
        // A = r - 0.15 for group 0: 0.85, 0.15, -1.15, 0.15; group 1: 0.
        GroupAdvantages a = advantage(AdvantageEstimator.DR_GRPO).compute(REWARDS);
        assertThat(a.advantages()).containsExactly(new float[] {0.85f, 0.15f, -1.15f, 0.15f, 0f, 0f, 0f, 0f},
                within(1e-6f));
        assertThat(a.groupStds()[0]).isCloseTo(0.8346656f, within(1e-6f)); // still reported for logging
        assertThat(a.zeroVarianceGroups()).isEqualTo(1);
    }

    @Test
    void constantGroupIsExactlyZeroEvenWhenTheMeanIsNotRepresentable() {
        // 0.1f summed 8 times is not exactly 8 x 0.1f; the advantage must still be exactly 0.
        float[] r = new float[8];
        java.util.Arrays.fill(r, 0.1f);
        GroupAdvantages a = GroupAdvantage.builder().setGroupSize(8).build().compute(r);
        assertThat(a.advantages()).containsOnly(0f);
        assertThat(a.zeroVarianceGroups()).isEqualTo(1);
    }

    @Test
    void groupOfOneHasZeroAdvantage() {
        GroupAdvantages a = GroupAdvantage.builder().setGroupSize(1).build().compute(new float[] {1f, -1f});
        assertThat(a.advantages()).containsExactly(0f, 0f);
        assertThat(a.zeroVarianceGroups()).isEqualTo(2);
    }

    @Test
    void rejectsRewardsThatAreNotWholeGroups() {
        GroupAdvantage adv = GroupAdvantage.builder().setGroupSize(4).build();
        assertThatThrownBy(() -> adv.compute(new float[6])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group size 4").hasMessageContaining("got 6");
        assertThatThrownBy(() -> GroupAdvantage.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group size");
        assertThatThrownBy(() -> adv.compute(new float[] {0, 0, Float.NaN, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    }

    @Test
    void djlMatchesJavaOnSeededRandomRewards() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] values = {-1f, 0.3f, 1f};
        float[] rewards = new float[16 * 8];
        for (int i = 0; i < rewards.length; i++) {
            // Mostly reference-valued rewards, so that some groups are constant, plus some continuous ones.
            rewards[i] = i < 96 ? values[rnd.nextInt(3)] : (float) rnd.nextGaussian();
        }
        for (int g = 0; g < 8; g++) {
            rewards[g] = 0.3f; // group 0 constant for sure
        }
        try (NDManager m = NDManager.newBaseManager()) {
            for (AdvantageEstimator e : AdvantageEstimator.values()) {
                GroupAdvantage adv = GroupAdvantage.builder().setGroupSize(8).optEstimator(e).build();
                GroupAdvantages java = adv.compute(rewards);
                DjlGroupAdvantages djl = adv.compute(m.create(rewards));
                assertThat(djl.advantages().toFloatArray()).as(e.name())
                        .containsExactly(java.advantages(), within(1e-5f));
                assertThat(djl.groupMeans().toFloatArray()).containsExactly(java.groupMeans(), within(1e-6f));
                assertThat(djl.groupStds().toFloatArray()).containsExactly(java.groupStds(), within(1e-5f));
                assertThat(djl.zeroVarianceGroups()).isEqualTo(java.zeroVarianceGroups()).isGreaterThanOrEqualTo(1);
                float[] djlAdv = djl.advantages().toFloatArray();
                for (int i = 0; i < 8; i++) {
                    assertThat(djlAdv[i]).isEqualTo(0f);
                }
            }
        }
    }
}
