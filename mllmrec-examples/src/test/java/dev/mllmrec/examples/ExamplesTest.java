package dev.mllmrec.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Caption;
import dev.mllmrec.core.JsonLines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example program runs on the toy data with the tiny recipe and prints what it promises. */
class ExamplesTest {

    @TempDir
    Path tmp;

    private static String run(ThrowingRunnable r) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        old.print(out);
        return out;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void trainRankAndRerank() throws Exception {
        String w = tmp.resolve("w").toString();
        assertThat(run(() -> TrainInMemory.main(new String[] {w, "--tiny"})))
                .contains("GRPO step 1 reward").contains("SFT validation {HR@1=").contains("GRPO best validation");
        String ranked = run(() -> RankWithCheckpoint.main(new String[] {w}));
        assertThat(ranked).contains("checkpoints/grpo/step-").contains("u1: [").contains("batch: [");
        String reranked = run(() -> RerankTopN.main(new String[] {w}));
        List<String> lines = reranked.lines().toList();
        String before = lines.get(0).replace("existing top 20: ", "");
        String after = lines.get(1).replace("re-ranked:       ", "");
        assertThat(before.split(",")).hasSize(20);
        assertThat(sorted(after)).isEqualTo(sorted(before));
    }

    @Test
    void customTextualizerCaptionsEveryImage() throws Exception {
        Path w = tmp.resolve("c");
        assertThat(run(() -> CustomTextualizer.main(new String[] {w.toString(), "--tiny"})))
                .contains("SFT item content captions");
        List<Caption> captions = JsonLines.read(w.resolve("captions.jsonl"), Caption.class);
        assertThat(captions).hasSize(30).allMatch(c -> c.textualizerId().equals("size-example"));
        assertThat(captions).filteredOn(c -> c.itemId() == 1).first().extracting(Caption::text)
                .isEqualTo("a small dark poster");
    }

    private static List<String> sorted(String list) {
        return java.util.Arrays.stream(list.replaceAll("[\\[\\] ]", "").split(",")).sorted().toList();
    }
}
