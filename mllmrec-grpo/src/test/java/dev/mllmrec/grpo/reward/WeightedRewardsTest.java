package dev.mllmrec.grpo.reward;

import static dev.mllmrec.grpo.reward.RecommendationRewardTest.SAMPLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.grpo.reward.FormatReward.Format;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRewardsTest {

    private static final WeightedRewards REWARDS = WeightedRewards.builder()
            .add(RecommendationReward.reference(), 1.0)
            .add(FormatReward.of(Format.THINK_THEN_ANSWER), 0.5)
            .build();

    @Test
    void totalIsTheWeightedSumAndComponentsStayRaw() {
        // hit with reasoning: 1.0 * 1.0 + 0.5 * 1.0 = 1.5
        RewardBreakdown b = REWARDS.score("<think>why</think>[ITEM_7] Heat", SAMPLE);
        assertThat(b.total()).isEqualTo(1.5);
        assertThat(b.component("recommendation")).isEqualTo(1.0);
        assertThat(b.component("format")).isEqualTo(1.0);
        // miss without reasoning: 1.0 * 0.3 + 0.5 * 0.0 = 0.3
        assertThat(REWARDS.reward("[ITEM_3] x", SAMPLE)).isEqualTo(0.3);
        assertThat(REWARDS.names()).containsExactly("recommendation", "format");
    }

    @Test
    void scoresGroupsInGroupMajorOrder() {
        RecommendationSample other = new RecommendationSample("u2-train", "u2", List.of(), 3, List.of(3, 5));
        List<String> completions = List.of("<think>a</think>[ITEM_7] Heat", "[ITEM_9] Up", // prompt 0
                "<think>b</think>[ITEM_3] X", "junk"); // prompt 1 (target 3)
        RewardBatch batch = REWARDS.scoreGroups(List.of(SAMPLE, other), completions, 2);
        // totals: 1.5, 0.3, 1.5, -1.0
        assertThat(batch.totals()).containsExactly(new float[] {1.5f, 0.3f, 1.5f, -1f}, within(1e-6f));
        assertThat(batch.components()[0]).containsExactly(new float[] {1f, 0.3f, 1f, -1f}, within(1e-6f));
        assertThat(batch.components()[1]).containsExactly(1f, 0f, 1f, 0f);
        Map<String, Double> m = batch.metrics();
        // mean of totals = 2.3 / 4 = 0.575; format mean = 0.5, its sample std = sqrt(4 * 0.25 / 3) = 0.5773503
        assertThat(m.get("reward/mean")).isCloseTo(0.575, within(1e-6));
        assertThat(m.get("rewards/format/mean")).isCloseTo(0.5, within(1e-12));
        assertThat(m.get("rewards/format/std")).isCloseTo(0.5773503, within(1e-6));
        assertThatThrownBy(() -> REWARDS.scoreGroups(List.of(SAMPLE), completions, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 4");
    }

    @Test
    void namesMustBeDistinct() {
        assertThatThrownBy(() -> WeightedRewards.builder().add(RecommendationReward.reference(), 1)
                .add(RecommendationReward.reference(), 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recommendation");
        assertThatThrownBy(() -> WeightedRewards.builder().build()).isInstanceOf(IllegalArgumentException.class);
    }
}
