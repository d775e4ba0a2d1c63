package dev.mllmrec.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class ItemTokensTest {

    @Test
    void parsesWholeItemTokensOnly() {
        assertThat(ItemTokens.parse("[ITEM_42]")).isEqualTo(42);
        assertThat(ItemTokens.parse("[ITEM_007]")).isEqualTo(7);
        assertThat(ItemTokens.parse(ItemTokens.token(2147483647))).isEqualTo(2147483647);
        assertThat(ItemTokens.parse("[ITEM_2147483648]")).isEqualTo(-1); // does not fit an int
        assertThat(ItemTokens.parse("[ITEM_]")).isEqualTo(-1);
        assertThat(ItemTokens.parse("[ITEM_4]2]")).isEqualTo(-1);
        assertThat(ItemTokens.parse(" [ITEM_4]")).isEqualTo(-1);
        assertThat(ItemTokens.parse("[ITEM_-4]")).isEqualTo(-1);
        assertThat(ItemTokens.parse("[ITEM_\u0664]")).isEqualTo(-1); // an Arabic-Indic digit is not \d
        assertThat(ItemTokens.parse("[item_4]")).isEqualTo(-1);
        assertThat(ItemTokens.parse("")).isEqualTo(-1);
        assertThat(ItemTokens.parse("]")).isEqualTo(-1);
    }

    @Test
    void agreesWithThePatternOnEveryCase() {
        for (String s : List.of("[ITEM_1]", "[ITEM_0]", "[ITEM_12a]", "[ITEM_ 1]", "[ITEM_1] ", "[ITEM_99999999999]",
                "ITEM_1]", "[ITEM_1", "[ITEM_[ITEM_1]]", "[ITEM_+1]", "[ITEM_\uff11]", "[ITEM_00000000000000000001]",
                "history", " ", "[", "[ITEM_]]")) {
            Matcher m = ItemTokens.TOKEN.matcher(s);
            int expected = -1;
            if (m.matches()) {
                try {
                    expected = Integer.parseInt(m.group(1));
                } catch (NumberFormatException e) {
                    expected = -1;
                }
            }
            assertThat(ItemTokens.parse(s)).as(s).isEqualTo(expected);
        }
    }
}
