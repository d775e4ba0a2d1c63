package dev.mllmrec.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.core.lm.sft.SftExample;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemSequenceWindowsTest {

    @Test
    void cutsEachPrefixIntoWindowsEndingEveryStrideItemsFromItsEnd() {
        List<Integer> seven = List.of(1, 2, 3, 4, 5, 6, 7);
        List<SftExample> out = ItemSequenceWindows.examples(List.of(seven, List.of(9), List.of(8, 9)), 4, 3);
        // Ends at 7, 4 (then 1 < 2 stops); the window ending at 4 starts at the prefix's head, so none follow.
        assertThat(out).extracting(SftExample::answer).containsExactly(
                "[ITEM_4] [ITEM_5] [ITEM_6] [ITEM_7]",
                "[ITEM_1] [ITEM_2] [ITEM_3] [ITEM_4]",
                "[ITEM_8] [ITEM_9]");
        assertThat(out).extracting(SftExample::prompt).containsOnly("history:");
        // A window's negatives never include anything the user has in its training prefix.
        assertThat(out.get(0).notNegatives()).isEqualTo(seven);
        assertThat(out.get(2).notNegatives()).containsExactly(8, 9);
        // Windows are stretches of a sequence: no end-of-answer token follows them.
        assertThat(out).allMatch(SftExample::openEnded);
    }

    @Test
    void everyItemButTheFirstIsATargetAtLeastOnce() {
        List<Integer> seq = java.util.stream.IntStream.rangeClosed(1, 23).boxed().toList();
        List<SftExample> out = ItemSequenceWindows.examples(List.of(seq), 10, 5);
        java.util.Set<String> targets = new java.util.HashSet<>();
        for (SftExample e : out) {
            String[] items = e.answer().split(" ");
            assertThat(items.length).isBetween(2, 10);
            targets.addAll(List.of(items));
        }
        assertThat(targets).hasSize(23);
        assertThat(out).hasSize(4); // ends at 23, 18, 13, 8 (which starts at the head)
    }

    @Test
    void rejectsWindowsTooShortToPredictAnything() {
        assertThatThrownBy(() -> ItemSequenceWindows.examples(List.of(), 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length >= 2");
    }

    @Test
    void theSequencePromptIsTokenForTokenAWindowUpToItsNextItem() {
        List<SftExample> windows = ItemSequenceWindows.examples(List.of(List.of(1, 2, 3)), 10, 5);
        dev.mllmrec.core.lm.tokenizer.WordTokenizer tok = dev.mllmrec.core.lm.tokenizer.WordTokenizer.builder()
                .setTexts(List.of("history: answer:", "[ITEM_1] [ITEM_2]")).optMinFrequency(1)
                .optItemIds(List.of(1, 2, 3)).build();
        SftExample w = windows.get(0);
        int[] window = java.util.stream.IntStream.concat(java.util.Arrays.stream(tok.encode(w.prompt())),
                java.util.Arrays.stream(tok.encode(w.answer()))).toArray();
        dev.mllmrec.api.Catalog catalog = dev.mllmrec.api.Catalog.of("m", List.of(dev.mllmrec.api.Item.of(1, "a"),
                dev.mllmrec.api.Item.of(2, "b"), dev.mllmrec.api.Item.of(3, "c")));
        dev.mllmrec.core.prompt.PromptBuilder sequence = dev.mllmrec.core.prompt.PromptBuilder.builder()
                .setCatalog(catalog).optStyle(dev.mllmrec.core.prompt.PromptBuilder.Style.SEQUENCE).build();
        int[] prompt = tok.encode(sequence.prompt(List.of(1, 2), List.of(3), null));
        // The scored item token follows the prompt directly, exactly where the window has its third item.
        int[] scored = java.util.stream.IntStream.concat(java.util.Arrays.stream(prompt),
                java.util.stream.IntStream.of(tok.itemTokenId(3))).toArray();
        assertThat(scored).containsExactly(window);
    }
}
