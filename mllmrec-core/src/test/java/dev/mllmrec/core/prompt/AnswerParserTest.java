package dev.mllmrec.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerParserTest {

    private final AnswerParser strict = AnswerParser.strict();
    private final AnswerParser reference = new AnswerParser(AnswerParser.Mode.REFERENCE);
    private final AnswerParser lenient = AnswerParser.lenient();

    @Test
    void strictAcceptsExactlyTheReferenceFormat() {
        assertThat(strict.parse("[ITEM_1234] Heat (1995)")).contains(new AnswerParser.Answer(1234, "Heat (1995)"));
        assertThat(strict.parse("  [ITEM_7]   Se7en \n")).contains(new AnswerParser.Answer(7, "Se7en"));
        assertThat(strict.parseId("[ITEM_7]Se7en")).isEqualTo(-1);
        assertThat(strict.parseId("[ITEM_7]")).isEqualTo(-1);
        assertThat(strict.parseId("I pick [ITEM_7] Se7en")).isEqualTo(-1);
        assertThat(strict.parseId("[ITEM_7] Se7en\nbecause it is dark")).isEqualTo(-1);
        assertThat(strict.parseId("[item_7] Se7en")).isEqualTo(-1);
        assertThat(strict.parseId("")).isEqualTo(-1);
        assertThat(strict.parseId(null)).isEqualTo(-1);
    }

    @Test
    void strictReadsTheTextAfterTheLastThinkBlock() {
        assertThat(strict.parseId("<think>maybe [ITEM_1] A</think>\n[ITEM_2] B")).isEqualTo(2);
        assertThat(strict.parseId("<think>a</think><think>b</think> [ITEM_3] C ")).isEqualTo(3);
        assertThat(strict.parseId("[ITEM_2] B <think>why</think>")).isEqualTo(-1);
    }

    @Test
    void referenceModeReadsTheTextBeforeTheFirstThinkClose() {
        // The reference GRPO reward: text.split("</think>")[0].strip() must match the pattern.
        assertThat(reference.parseId("[ITEM_2] B <think>why</think>")).isEqualTo(2);
        assertThat(reference.parseId("[ITEM_2] B")).isEqualTo(2);
        assertThat(reference.parseId("<think>why</think>\n[ITEM_2] B")).isEqualTo(-1);
    }

    @Test
    void overlongIdsAreWellFormedButNameNoItem() {
        assertThat(strict.parse("[ITEM_99999999999] X")).contains(new AnswerParser.Answer(-1, "X"));
    }

    @Test
    void lenientFindsTheFirstItemMentionAnywhere() {
        assertThat(lenient.parseId("I think the user wants [ITEM_42] and then [ITEM_7].")).isEqualTo(42);
        assertThat(lenient.parseId("<think>hmm</think>ITEM 5")).isEqualTo(5);
        assertThat(lenient.parseId("ITEM-6")).isEqualTo(6);
        assertThat(lenient.parseId("no idea")).isEqualTo(-1);
        assertThat(lenient.parse("[ITEM_42] Title")).contains(new AnswerParser.Answer(42, null));
    }
}
