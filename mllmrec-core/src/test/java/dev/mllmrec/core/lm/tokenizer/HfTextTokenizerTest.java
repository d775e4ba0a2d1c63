package dev.mllmrec.core.lm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTextTokenizerTest {

    @Test
    void pureJavaEncoderMatchesHuggingFaceOnFuzzedTexts(@TempDir Path dir) {
        List<String> train = new ArrayList<>(WordTokenizerTest.TEXTS);
        train.addAll(WordTokenizerTest.fuzzTexts(200, 1));
        WordTokenizer java = WordTokenizer.builder().setTexts(train).optMinFrequency(2).build();
        Path file = dir.resolve("tokenizer.json");
        java.save(file);
        try (HfTextTokenizer hf = HfTextTokenizer.load(file)) {
            assertThat(hf.vocabSize()).isEqualTo(java.vocabSize());
            assertThat(hf.specialTokens()).isEqualTo(java.specialTokens());
            assertThat(hf.itemTokenId(22)).isEqualTo(java.itemTokenId(22));
            assertThat(hf.itemIdOf(java.itemTokenId(3))).isEqualTo(3);
            List<String> texts = new ArrayList<>(WordTokenizerTest.fuzzTexts(500, 2));
            texts.addAll(WordTokenizerTest.TEXTS);
            for (String text : texts) {
                int[] ids = java.encode(text);
                assertThat(hf.encode(text)).as("ids of %s", text).containsExactly(ids);
                assertThat(hf.decode(ids)).as("decode of %s", text).isEqualTo(java.decode(ids));
                assertThat(hf.decode(ids, true)).isEqualTo(java.decode(ids, true));
            }
        }
    }

    @Test
    void encodingSpeedJavaVersusHuggingFace(@TempDir Path dir) {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder("The user watched these movies, oldest first:\n");
            for (int j = 0; j < 20; j++) {
                sb.append("[ITEM_").append((i * 31 + j * 7) % 500 + 1).append("] A Movie Title Number ")
                        .append(j).append(" (19").append(10 + j).append(")\n");
            }
            sb.append("Answer with the item token and title of the next movie.");
            prompts.add(sb.toString());
        }
        WordTokenizer java = WordTokenizer.builder().setTexts(prompts).optMinFrequency(1).build();
        Path file = dir.resolve("tokenizer.json");
        java.save(file);
        try (HfTextTokenizer hf = HfTextTokenizer.load(file)) {
            long tokens = 0;
            for (String p : prompts) {
                tokens += java.encode(p).length;
                hf.encode(p);
            }
            long t0 = System.nanoTime();
            for (String p : prompts) {
                java.encode(p);
            }
            long t1 = System.nanoTime();
            for (String p : prompts) {
                hf.encode(p);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "tokenizer speed: java %.0f tokens/ms, huggingface %.0f tokens/ms "
                    + "(%d prompts, %d tokens)%n", tokens / ((t1 - t0) / 1e6), tokens / ((t2 - t1) / 1e6),
                    prompts.size(), tokens);
        }
    }

    @Test
    void qwen3TokenizerLoadsAndRoundTrips() {
        Path file = Path.of(System.getProperty("mllmrec.shared.dir", "../../shared"), "data", "tokenizers",
                "qwen3", "tokenizer.json");
        Assumptions.assumeTrue(Files.isRegularFile(file), "Qwen3 tokenizer not present at " + file);
        try (TextTokenizer qwen = TextTokenizers.load(file)) {
            assertThat(qwen).isInstanceOf(HfTextTokenizer.class);
            assertThat(qwen.vocabSize()).isGreaterThan(151_000);
            String text = "<think>The user likes 1990s animation.</think>\n[ITEM_42] Toy Story (1995) — Amélie";
            int[] ids = qwen.encode(text);
            assertThat(ids.length).isBetween(10, text.length());
            assertThat(qwen.decode(ids)).isEqualTo(text);
            assertThat(qwen.specialTokens().thinkStart()).isPositive();
            assertThat(qwen.specialTokens().eos()).isPositive();
            assertThat(qwen.specialTokens().newline()).isPositive();
            assertThat(qwen.itemTokenId(42)).isEqualTo(-1);
        }
    }
}
