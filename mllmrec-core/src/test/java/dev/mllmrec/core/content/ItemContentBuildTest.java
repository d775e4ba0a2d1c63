package dev.mllmrec.core.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.embed.TfIdfEncoder;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caption source's vector is the item's text vector with the shown caption's own vector beside it (zeros without a
 * caption), so the caption cannot change what the text contributes.
 */
class ItemContentBuildTest {

    private static final List<Item> ITEMS = List.of(
            new Item(1, "Heat (1995)", List.of("Crime"), Map.of(), null),
            new Item(2, "Up (2009)", List.of("Animation"), Map.of(), null),
            new Item(3, "Alien (1979)", List.of("Horror"), Map.of(), null));
    private static final Catalog CATALOG = Catalog.of("m", ITEMS);
    private static final Map<Integer, String> CAPTIONS = Map.of(
            1, "A dark poster in black and steel blue with a cool cast.",
            2, "A bright poster in sky blue and yellow, lively and warm.");

    @Test
    void captionVectorsSitBesideTheTextVectorsAndTheControlMovesOnlyThem(@TempDir Path dir) {
        WorkDir w = workDir(dir);
        WordTokenizer tokenizer = tokenizer();
        ItemContent text = ItemContent.build(w, CATALOG, tokenizer, ItemContentSource.TEXT, "tfidf", 7);
        ItemContent real = ItemContent.build(w, CATALOG, tokenizer, ItemContentSource.CAPTIONS, "tfidf", 7);
        ItemContent moved = ItemContent.build(w, CATALOG, tokenizer, ItemContentSource.SHUFFLED_CAPTIONS, "tfidf", 7);
        int d = ItemContent.TFIDF_DIMENSION;
        assertThat(text.shape().dimension()).isEqualTo(d);
        assertThat(real.shape().dimension()).isEqualTo(2 * d);
        assertThat(real.shape().firstToken()).isEqualTo(text.shape().firstToken());

        // The text half is each item's own text vector, encoded as the captions' corpus leaves it (TF-IDF is fit on
        // texts and captions together, so compare it with that encoder, not with the text source's).
        List<String> corpus = new ArrayList<>(ItemContentTexts.texts(CATALOG).values());
        corpus.addAll(ItemContentTexts.captions(CATALOG, CAPTIONS, ItemContentSource.CAPTIONS, 7).values());
        TfIdfEncoder enc = TfIdfEncoder.fit(corpus, d);
        float[][] texts = enc.encode(List.copyOf(ItemContentTexts.texts(CATALOG).values()));
        float[][] caps = enc.encode(List.of(CAPTIONS.get(1), CAPTIONS.get(2)));
        for (int i = 0; i < 3; i++) {
            assertThat(half(real, i, 0)).as("text of item %d", i + 1).containsExactly(texts[i]);
            assertThat(half(moved, i, 0)).containsExactly(texts[i]);
        }
        assertThat(half(real, 0, 1)).containsExactly(caps[0]);
        assertThat(half(real, 1, 1)).containsExactly(caps[1]);
        assertThat(half(real, 2, 1)).containsOnly(0f); // no image, no caption
        // The control swaps the two captions and leaves the item without one without one.
        assertThat(half(moved, 0, 1)).containsExactly(caps[1]);
        assertThat(half(moved, 1, 1)).containsExactly(caps[0]);
        assertThat(half(moved, 2, 1)).containsOnly(0f);

        // Captions alone: just the caption half, the control with the same permutation.
        ItemContent alone = ItemContent.build(w, CATALOG, tokenizer, ItemContentSource.CAPTIONS_ONLY, "tfidf", 7);
        ItemContent aloneMoved = ItemContent.build(w, CATALOG, tokenizer,
                ItemContentSource.SHUFFLED_CAPTIONS_ONLY, "tfidf", 7);
        assertThat(alone.shape().dimension()).isEqualTo(d);
        for (int i = 0; i < 3; i++) {
            assertThat(Arrays.copyOfRange(alone.vectors(), i * d, (i + 1) * d)).containsExactly(half(real, i, 1));
            assertThat(Arrays.copyOfRange(aloneMoved.vectors(), i * d, (i + 1) * d)).containsExactly(half(moved, i, 1));
        }
    }

    @Test
    void aCaptionSourceWithoutCaptionsIsRejected(@TempDir Path dir) {
        WorkDir w = WorkDir.of(dir);
        assertThatThrownBy(() -> ItemContent.build(w, CATALOG, tokenizer(), ItemContentSource.CAPTIONS, "tfidf", 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs captions");
        assertThatThrownBy(() -> ItemContent.build(w, CATALOG, tokenizer(), ItemContentSource.NONE, "tfidf", 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'none'");
    }

    private static float[] half(ItemContent c, int row, int which) {
        int d = c.shape().dimension() / 2;
        int at = row * c.shape().dimension() + which * d;
        return Arrays.copyOfRange(c.vectors(), at, at + d);
    }

    private static WorkDir workDir(Path dir) {
        WorkDir w = WorkDir.of(dir);
        List<Caption> captions = new ArrayList<>();
        CAPTIONS.forEach((id, text) -> captions.add(new Caption(id, "sha-" + id, "test", "1", text)));
        JsonLines.write(w.captions(), captions);
        return w;
    }

    private static WordTokenizer tokenizer() {
        List<String> vocab = new ArrayList<>(List.of("<pad>", "<eos>", "<unk>", "<think>", "</think>", "\n"));
        for (Item item : ITEMS) {
            vocab.add("[ITEM_" + item.id() + "]");
        }
        vocab.add(" the");
        return WordTokenizer.of(vocab);
    }
}
