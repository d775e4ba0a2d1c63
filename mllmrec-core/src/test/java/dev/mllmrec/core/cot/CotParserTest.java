package dev.mllmrec.core.cot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.CotTrace;
import org.junit.jupiter.api.Test;

class CotParserTest {

    private static CotTrace parse(String text) {
        return CotParser.parse("s", "g", text);
    }

    @Test
    void parsesPlainLines() {
        CotTrace t = parse("Step 1: horror fan.\nStep 2: wants more horror.\nStep 3: dark; eerie; 1970s.\n"
                + "Step 4: A 1970s horror film.");
        assertThat(t.valid()).isTrue();
        assertThat(t.steps()).containsExactly("horror fan.", "wants more horror.", "dark; eerie; 1970s.",
                "A 1970s horror film.");
        assertThat(CotParser.canonical(t)).startsWith("Step 1: horror fan.\nStep 2:");
    }

    @Test
    void toleratesMarkdownCaseAndNumberingStyles() {
        CotTrace bold = parse("**Step 1:** a\n\n**Step 2:** b\n**Step 3:** c\n**Step 4:** d");
        assertThat(bold.valid()).isTrue();
        assertThat(bold.steps()).containsExactly("a", "b", "c", "d");
        CotTrace heading = parse("### Step 1. a\n### STEP 2 - b\n## step3) c\n# Step 4: d");
        assertThat(heading.steps()).containsExactly("a", "b", "c", "d");
        CotTrace words = parse("Step One: a\nStep Two: b\nStep Three: c\nStep Four: d");
        assertThat(words.steps()).containsExactly("a", "b", "c", "d");
        CotTrace roman = parse("Step I: a\nStep II: b\nStep III: c\nStep IV: d");
        assertThat(roman.steps()).containsExactly("a", "b", "c", "d");
        CotTrace boldAfter = parse("**Step 1**: a\n**Step 2**: b\n**Step 3**: c\n**Step 4**: d");
        assertThat(boldAfter.steps()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void inlineStepsNeedAColonAndProseMentionsAreIgnored() {
        CotTrace t = parse("Step 1: the user likes horror. Step 2: as in step 1. more horror. Step 3: dark. "
                + "Step 4: a horror film.");
        assertThat(t.valid()).isTrue();
        assertThat(t.step(2)).isEqualTo("as in step 1. more horror.");
    }

    @Test
    void stripsThinkBlockAndFallsBackToNumberedLines() {
        CotTrace t = parse("<think>Step 1: scratch</think>\nStep 1: a\nStep 2: b\nStep 3: c\nStep 4: d");
        assertThat(t.steps()).containsExactly("a", "b", "c", "d");
        assertThat(t.text()).startsWith("<think>");
        CotTrace numbered = parse("1. a\n2. b\n3) c\n4. d");
        assertThat(numbered.valid()).isTrue();
        assertThat(numbered.step(3)).isEqualTo("c");
    }

    @Test
    void malformedTextIsKeptAndInvalid() {
        CotTrace missing = parse("Step 1: a\nStep 2: b\nStep 4: d");
        assertThat(missing.valid()).isFalse();
        assertThat(missing.steps()).isEmpty();
        assertThat(missing.text()).isEqualTo("Step 1: a\nStep 2: b\nStep 4: d");
        assertThat(parse("The user likes horror.").valid()).isFalse();
        assertThat(parse("Step 1: a\nStep 2: \nStep 3: c\nStep 4: d").valid()).isFalse();
        CotTrace fifth = parse("Step 1: a\nStep 2: b\nStep 3: c\nStep 4: d\nStep 5: e");
        assertThat(fifth.valid()).isFalse();
        assertThat(fifth.step(4)).isEqualTo("d");
        assertThat(CotParser.canonical(missing)).isEqualTo(missing.text());
    }

    @Test
    void repeatedBlockAfterStepFourIsDropped() {
        CotTrace t = parse("Step 1: a\nStep 2: b\nStep 3: c\nStep 4: d\nStep 1: again");
        assertThat(t.valid()).isTrue();
        assertThat(t.step(4)).isEqualTo("d");
    }
}
