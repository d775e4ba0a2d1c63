package dev.mllmrec.grpo.reward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cases checked against Python's {@code re.match(r"^\[ITEM_(\d+)\]\s+(.+)$", s.split("</think>")[-1].strip())}. */
class ParsedAnswerTest {

    private static Optional<ParsedAnswer> p(String s) {
        return ParsedAnswer.parse(s);
    }

    @Test
    void plainAnswer() {
        assertThat(p("[ITEM_42] The Matrix (1999)")).contains(new ParsedAnswer(42, "The Matrix (1999)"));
    }

    @Test
    void answerAfterTheLastThinkBlock() {
        assertThat(p("<think>maybe [ITEM_1] x</think>\n\n[ITEM_7] Heat")).contains(new ParsedAnswer(7, "Heat"));
        // split("</think>")[-1]: only the text after the last marker counts.
        assertThat(p("<think>a</think>[ITEM_1] A</think>  [ITEM_2] B")).contains(new ParsedAnswer(2, "B"));
        assertThat(p("<think>reasoning</think>")).isEmpty();
        assertThat(p("<think>[ITEM_3] only inside</think> I pick the third one")).isEmpty();
    }

    @Test
    void surroundingWhitespaceIsStrippedLikePython() {
        assertThat(p("  \n\t[ITEM_5] Up \n ")).contains(new ParsedAnswer(5, "Up"));
        // U+00A0 and U+0085 are whitespace for str.strip() (Java's String.strip() keeps them).
        assertThat(p("\u00a0[ITEM_5] Up\u0085")).contains(new ParsedAnswer(5, "Up"));
    }

    @Test
    void titleMustFollowWhitespaceAndStayOnOneLine() {
        assertThat(p("[ITEM_5]Up")).isEmpty(); // \s+ needs at least one whitespace
        assertThat(p("[ITEM_5]")).isEmpty(); // (.+) needs a title
        assertThat(p("[ITEM_5] Up\nbecause it is great")).isEmpty(); // '.' does not match '\n', '$' is end only
        assertThat(p("[ITEM_5]\n  Up")).contains(new ParsedAnswer(5, "Up")); // \s+ may cross lines
        assertThat(p("[ITEM_5] Up\rDown")).contains(new ParsedAnswer(5, "Up\rDown")); // '.' matches '\r'
    }

    @Test
    void malformedTokens() {
        assertThat(p("")).isEmpty();
        assertThat(p("I recommend [ITEM_5] Up")).isEmpty(); // re.match anchors at the start
        assertThat(p("[ITEM_] Up")).isEmpty();
        assertThat(p("[ITEM_-5] Up")).isEmpty();
        assertThat(p("[item_5] Up")).isEmpty();
        assertThat(p("[ITEM_5 ] Up")).isEmpty();
        assertThat(p("ITEM_5 Up")).isEmpty();
    }

    @Test
    void idsParseLikePythonInt() {
        assertThat(p("[ITEM_007] Bond")).contains(new ParsedAnswer(7, "Bond"));
        // \d is any Unicode decimal digit and int() reads it: Arabic-Indic 4 2.
        assertThat(p("[ITEM_\u0664\u0662] X")).contains(new ParsedAnswer(42, "X"));
        assertThat(p("[ITEM_99999999999] X")).contains(new ParsedAnswer(ParsedAnswer.ID_OUT_OF_RANGE, "X"));
    }
}
