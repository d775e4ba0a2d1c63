package dev.mllmrec.benchmarks;

import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import java.util.ArrayList;
import java.util.List;

/** Shared shapes for the language-model benchmarks: an 8,000-token vocabulary with 3,000 item tokens. */
final class LmFixtures {

    static final int VOCAB = 8_000;
    static final int ITEMS = 3_000;
    static final int FIRST_WORD = 6 + ITEMS;

    private LmFixtures() {
    }

    /** A word-level tokenizer of {@link #VOCAB} tokens: specials, newline, items 1..3000, then words. */
    static WordTokenizer tokenizer() {
        List<String> vocab = new ArrayList<>(List.of("<pad>", "<eos>", "<unk>", "<think>", "</think>", "\n"));
        for (int i = 1; i <= ITEMS; i++) {
            vocab.add("[ITEM_" + i + "]");
        }
        for (int i = 0; vocab.size() < VOCAB; i++) {
            vocab.add(" " + (char) ('a' + i % 26) + (char) ('a' + i / 26 % 26) + (char) ('a' + i / 676));
        }
        return WordTokenizer.of(vocab);
    }

    /** The {@code small} preset with room for 1024-token prompts plus their continuations. */
    static LmConfig smallModel() {
        return LmConfig.builder().optPreset(LmConfig.Preset.SMALL).setVocabSize(VOCAB).optContextLength(2048)
                .build();
    }

    /** A random prompt of word and item tokens. */
    static int[] prompt(int length, long seed) {
        SeededRandom r = new SeededRandom(seed);
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = 6 + r.nextInt(VOCAB - 6);
        }
        return p;
    }
}
