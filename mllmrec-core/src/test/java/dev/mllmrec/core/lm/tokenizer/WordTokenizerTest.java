package dev.mllmrec.core.lm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.core.lm.SeededRandom;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordTokenizerTest {

    static final List<String> TEXTS = List.of(
            "The user watched, in order:\n[ITEM_1] Toy Story (1995)\n[ITEM_22] Amélie (2001)\n"
                    + "Candidates:\n[ITEM_3] Schindler's List (1993)\n[ITEM_1] Toy Story (1995)\n"
                    + "Answer with one line.",
            "<think>The user likes animation.</think>\n[ITEM_3] Schindler's List (1993)",
            "The user watched, in order:\n[ITEM_22] Amélie (2001)\n[ITEM_3] Schindler's List (1993)\n"
                    + "Answer with one line.");

    @Test
    void itemTokensAreAtomicAndSpacesStayWithWords() {
        assertThat(WordTokenizer.pieces("Saw [ITEM_12] Toy  Story (1995)!\n<think>x</think>"))
                .containsExactly("Saw", " ", "[ITEM_12]", " Toy", " ", " Story", " (", "1995", ")", "!", "\n",
                        "<think>", "x", "</think>");
        assertThat(WordTokenizer.pieces("a [[ITEM_3]] b")).containsExactly("a", " [", "[ITEM_3]", "]", " b");
    }

    @Test
    void buildsSpecialsNewlineItemsThenWordsByFrequency() {
        WordTokenizer tok = WordTokenizer.builder().setTexts(TEXTS).optMinFrequency(2).optItemIds(List.of(7))
                .build();
        assertThat(tok.token(0)).isEqualTo("<pad>");
        assertThat(tok.token(1)).isEqualTo("<eos>");
        assertThat(tok.token(2)).isEqualTo("<unk>");
        assertThat(tok.token(3)).isEqualTo("<think>");
        assertThat(tok.token(4)).isEqualTo("</think>");
        assertThat(tok.token(5)).isEqualTo("\n");
        assertThat(tok.token(6)).isEqualTo("[ITEM_1]");
        assertThat(tok.itemCount()).isEqualTo(4);
        assertThat(tok.itemTokenId(7)).isPositive();
        assertThat(tok.itemIdOf(tok.itemTokenId(22))).isEqualTo(22);
        assertThat(tok.itemTokenId(999)).isEqualTo(-1);
        assertThat(tok.itemIdOf(tok.id(" Toy"))).isEqualTo(-1);
        // " animation" appears once: cut by the minimum frequency.
        assertThat(tok.id(" animation")).isEqualTo(-1);
        assertThat(tok.encode(" animation")).containsExactly(tok.specialTokens().unk());
    }

    @Test
    void decodeRestoresInVocabularyTextExactly() {
        WordTokenizer tok = WordTokenizer.builder().setTexts(TEXTS).optMinFrequency(1).build();
        for (String text : TEXTS) {
            int[] ids = tok.encode(text);
            assertThat(tok.decode(ids)).isEqualTo(text);
        }
        int[] ids = tok.encode("<think>The user</think>\n<eos>");
        assertThat(tok.decode(ids, true)).isEqualTo("The user\n");
    }

    @Test
    void rejectsMissingTextsAndBadFrequency(@TempDir Path dir) {
        assertThatThrownBy(() -> WordTokenizer.builder().build()).hasMessageContaining("setTexts");
        assertThatThrownBy(() -> WordTokenizer.builder().setTexts(TEXTS).optMinFrequency(0).build())
                .hasMessageContaining("0");
    }

    @Test
    void savesAndLoadsTheSameVocabulary(@TempDir Path dir) {
        WordTokenizer tok = WordTokenizer.builder().setTexts(TEXTS).optMinFrequency(1).build();
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        TextTokenizer back = TextTokenizers.load(file);
        assertThat(back).isInstanceOf(WordTokenizer.class);
        assertThat(back.vocabSize()).isEqualTo(tok.vocabSize());
        for (int i = 0; i < tok.vocabSize(); i++) {
            assertThat(((WordTokenizer) back).token(i)).isEqualTo(tok.token(i));
        }
    }

    /** Random texts mixing vocabulary words, item tokens, specials, odd spacing and non-ASCII characters. */
    static List<String> fuzzTexts(int n, long seed) {
        String[] parts = {"The", " user", " watched", "[ITEM_1]", "[ITEM_22]", "[ITEM_999]", " [ITEM_3]", " ",
            "  ", "\n", "\t", "\r\n", " (1995)", "!", "?", " Amélie", "e\u0301", "日本語", " 🎬", "<think>",
            "</think>", "<eos>", "<", "<thinking>", "[ITEM_]", "[ITEM_12a]", "[[ITEM_3]]", "’", " —", "42", "x1y2",
            " Schindler's", "<pad", "\u00a0", "Ⅻ", "٣"};
        SeededRandom r = new SeededRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(30);
            for (int j = 0; j < len; j++) {
                sb.append(parts[r.nextInt(parts.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }
}
