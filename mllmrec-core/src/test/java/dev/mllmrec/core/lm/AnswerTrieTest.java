package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The prefix trie of multi-token answers: allowed next tokens, forced versus chosen tokens, ends. */
class AnswerTrieTest {

    /** "[ITEM_2] A", "[ITEM_22] B", "[ITEM_3] C" as made-up ids, each ending with the end of sequence 9. */
    private static final List<int[]> LINES = List.of(
            new int[] {5, 6, 2, 7, 40, 9},
            new int[] {5, 6, 2, 2, 7, 41, 9},
            new int[] {5, 6, 3, 7, 42, 9});

    @Test
    void sharedPrefixesAreForcedAndBranchesAreChosen() {
        AnswerTrie t = AnswerTrie.of(LINES);
        assertThat(t.sequenceCount()).isEqualTo(3);
        assertThat(t.maxLength()).isEqualTo(7);
        assertThat(t.size()).isEqualTo(1 + 2 + 1 + 3 + 4 + 4); // root, [ITEM_, 2, then the three tails
        int n = AnswerTrie.ROOT;
        assertThat(t.allowed(n)).containsExactly(5);
        n = t.next(n, 5);
        n = t.next(n, 6);
        assertThat(t.allowed(n)).containsExactly(2, 3);
        assertThat(t.next(n, 4)).isEqualTo(-1);
        n = t.next(n, 2);
        assertThat(t.allowed(n)).containsExactly(7, 2); // item 2 ends its id here, item 22 goes on
        n = t.next(n, 7);
        assertThat(t.choices(n)).isEqualTo(1);
        n = t.next(t.next(n, 40), 9);
        assertThat(t.isEnd(n)).isTrue();
        assertThat(t.depth(n)).isEqualTo(6);

        assertThat(t.chosen(LINES.get(1))).containsExactly(false, false, true, true, false, false, false);
        assertThat(t.chosen(LINES.get(2))).containsExactly(false, false, true, false, false, false);
        assertThat(t.chosen(new int[] {5, 6, 2})).containsExactly(false, false, true);
        // Off the trie (never generated under it): the tokens after the one that left it count as chosen.
        assertThat(t.chosen(new int[] {5, 8, 1})).containsExactly(false, false, true);
    }

    @Test
    void duplicatesCollapseAndBadInputIsRefused() {
        AnswerTrie t = AnswerTrie.of(List.of(new int[] {1, 2}, new int[] {1, 2}));
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.chosen(new int[] {1, 2})).containsExactly(false, false);
        assertThatThrownBy(() -> AnswerTrie.of(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> AnswerTrie.of(List.of(new int[] {1}, new int[0])))
                .hasMessageContaining("sequence 1 is empty");
        assertThatThrownBy(() -> AnswerTrie.of(List.of(new int[] {1, -1}))).hasMessageContaining("invalid id -1");
    }
}
