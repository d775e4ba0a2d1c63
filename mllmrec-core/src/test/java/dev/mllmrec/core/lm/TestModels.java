package dev.mllmrec.core.lm;

import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;

/** Tiny tokenizers and models shared by the lm tests. */
public final class TestModels {

    private TestModels() {
    }

    /** 50 tokens: 5 specials, newline, items 1..10 (ids 6..15), words {@link #word}(0..33) (ids 16..49). */
    public static WordTokenizer tokenizer() {
        List<String> vocab = new ArrayList<>(List.of("<pad>", "<eos>", "<unk>", "<think>", "</think>", "\n"));
        for (int i = 1; i <= 10; i++) {
            vocab.add("[ITEM_" + i + "]");
        }
        for (int i = 0; vocab.size() < 50; i++) {
            vocab.add(word(i));
        }
        return WordTokenizer.of(vocab);
    }

    /** The i-th test word (with its leading space), a single token of {@link #tokenizer()}. */
    public static String word(int i) {
        return " w" + (char) ('a' + i / 26) + (char) ('a' + i % 26);
    }

    public static int[] randomPrompt(int length, long seed) {
        SeededRandom r = new SeededRandom(seed);
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = 6 + r.nextInt(44);
        }
        return p;
    }
}
