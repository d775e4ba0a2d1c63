package dev.mllmrec.core.lm;

import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;

/** Tiny tokenizers and models shared by the lm tests. */
final class TestModels {

    private TestModels() {
    }

    /** 50 tokens: 5 specials, newline, items 1..10 (ids 6..15), words " w0".." w33" (ids 16..49). */
    static WordTokenizer tokenizer() {
        List<String> vocab = new ArrayList<>(List.of("<pad>", "<eos>", "<unk>", "<think>", "</think>", "\n"));
        for (int i = 1; i <= 10; i++) {
            vocab.add("[ITEM_" + i + "]");
        }
        for (int i = 0; vocab.size() < 50; i++) {
            vocab.add(" w" + i);
        }
        return WordTokenizer.of(vocab);
    }

    static int[] randomPrompt(int length, long seed) {
        SeededRandom r = new SeededRandom(seed);
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = 6 + r.nextInt(44);
        }
        return p;
    }
}
