package dev.mllmrec.grpo.reward;

import static dev.mllmrec.grpo.reward.RecommendationRewardTest.SAMPLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.grpo.reward.FormatReward.Format;
import org.junit.jupiter.api.Test;

class FormatRewardTest {

    @Test
    void thinkThenAnswer() {
        FormatReward f = FormatReward.of(Format.THINK_THEN_ANSWER);
        assertThat(f.reward("<think>She rates thrillers highly.</think>\n[ITEM_3] Heat", SAMPLE)).isEqualTo(1.0);
        // The chat template may already have opened the think block in the prompt.
        assertThat(f.reward("She rates thrillers highly.\n</think>\n\n[ITEM_3] Heat", SAMPLE)).isEqualTo(1.0);
        assertThat(f.reward("[ITEM_3] Heat", SAMPLE)).isEqualTo(0.0); // no reasoning
        assertThat(f.reward("<think>  </think>[ITEM_3] Heat", SAMPLE)).isEqualTo(0.0); // blank reasoning
        assertThat(f.reward("<think>a</think><think>b</think>[ITEM_3] Heat", SAMPLE)).isEqualTo(0.0);
        assertThat(f.reward("x<think>a</think>[ITEM_3] Heat", SAMPLE)).isEqualTo(0.0);
        assertThat(f.reward("<think>a</think>Heat", SAMPLE)).isEqualTo(0.0); // malformed answer
        // The format reward does not care whether the item is right or even a candidate.
        assertThat(f.reward("<think>a</think>[ITEM_12345] ?", SAMPLE)).isEqualTo(1.0);
    }

    @Test
    void answerOnly() {
        FormatReward f = FormatReward.of("answer_format", Format.ANSWER_ONLY, 0.5, -0.5);
        assertThat(f.name()).isEqualTo("answer_format");
        assertThat(f.reward("[ITEM_3] Heat", SAMPLE)).isEqualTo(0.5);
        assertThat(f.reward("<think>x</think> [ITEM_3] Heat", SAMPLE)).isEqualTo(0.5);
        assertThat(f.reward("Heat", SAMPLE)).isEqualTo(-0.5);
    }
}
