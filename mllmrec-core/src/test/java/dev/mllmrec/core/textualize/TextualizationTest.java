package dev.mllmrec.core.textualize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.JsonLines;
import java.awt.Color;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextualizationTest {

    @TempDir
    Path dir;

    private List<Item> items(int n) throws IOException {
        Color[] colours = {Color.BLACK, Color.WHITE, Color.RED, Color.BLUE, Color.GREEN, Color.ORANGE, Color.GRAY};
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Path p = dir.resolve(i + ".jpg");
            Files.write(p, TestImages.jpeg(TestImages.poster(90, 135, colours[i % colours.length],
                    colours[(i * 3 + 1) % colours.length], i % 2 == 0)));
            items.add(new Item(i, "Movie " + i + " (2000)", List.of(), null, p.toString()));
        }
        return items;
    }

    /** Counts calls, so a test can see what was (not) captioned again. */
    private static final class Counting implements VisualTextualizer {
        final BuiltinTextualizer inner = new BuiltinTextualizer();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public String version() {
            return inner.version();
        }

        @Override
        public String describe(Item item, byte[] image) throws TextualizationException {
            calls.incrementAndGet();
            return inner.describe(item, image);
        }
    }

    private TextualizationReport run(VisualTextualizer t, List<Item> items, Path captions) {
        try (CaptionStore store = CaptionStore.open(captions, t.id(), t.version())) {
            return Textualization.builder().setTextualizer(t).setStore(store).optThreads(2).optProgress(false)
                    .optFailuresFile(dir.resolve("textualize").resolve("failures.jsonl")).build().run(items);
        }
    }

    @Test
    void badImagesBecomeFailureEntriesWhileTheRestSucceed() throws Exception {
        List<Item> items = new ArrayList<>(items(6));
        Path corrupt = dir.resolve("100.jpg");
        Files.writeString(corrupt, "this is not an image", StandardCharsets.UTF_8);
        Path bomb = dir.resolve("101.jpg");
        Files.write(bomb, TestImages.jpegClaiming(50_000, 50_000));
        Path cut = dir.resolve("102.jpg");
        Files.write(cut, TestImages.truncated(Files.readAllBytes(dir.resolve("1.jpg")), 0.5));
        items.add(new Item(100, "Corrupt (2000)", null, null, corrupt.toString()));
        items.add(new Item(101, "Bomb (2000)", null, null, bomb.toString()));
        items.add(new Item(102, "Cut (2000)", null, null, cut.toString()));
        items.add(new Item(103, "Missing (2000)", null, null, dir.resolve("nope.jpg").toString()));
        items.add(Item.of(104, "No Image (2000)"));

        TextualizationReport report = run(new BuiltinTextualizer(), items, dir.resolve("captions.jsonl"));
        assertThat(report.items()).isEqualTo(11);
        assertThat(report.captioned()).isEqualTo(6);
        assertThat(report.failed()).isEqualTo(5);
        assertThat(report.cached()).isZero();
        assertThat(report.titleLeaks()).isZero();
        assertThat(report.maxWords()).isLessThanOrEqualTo(50);
        assertThat(report.failures()).extracting(TextualizationFailure::itemId).containsExactly(100, 101, 102, 103,
                104);
        assertThat(report.failures().get(0).reason()).contains("100.jpg").contains("not a recognised image");
        assertThat(report.failures().get(1).reason()).contains("101.jpg").contains("50000x50000");
        assertThat(report.failures().get(2).reason()).contains("102.jpg").containsAnyOf("truncated", "corrupt");
        assertThat(report.failures().get(3).reason()).contains("nope.jpg").contains("cannot be read");
        assertThat(report.failures().get(4).reason()).contains("has no image");
        assertThat(JsonLines.read(dir.resolve("textualize").resolve("failures.jsonl"),
                TextualizationFailure.class)).isEqualTo(report.failures());
    }

    @Test
    void aResumedRunCaptionsOnlyWhatIsMissingAndEndsWithOneLinePerItem() throws Exception {
        List<Item> items = items(12);
        Path captions = dir.resolve("captions.jsonl");
        Counting first = new Counting();
        assertThat(run(first, items, captions).captioned()).isEqualTo(12);
        // Simulate kill -9 in the middle of an append: cut the file inside its 8th line.
        byte[] all = Files.readAllBytes(captions);
        int cut = 0;
        for (int newlines = 0; newlines < 7; cut++) {
            if (all[cut] == '\n') {
                newlines++;
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(captions.toFile(), "rw")) {
            raf.setLength(cut + 20);
        }
        Counting second = new Counting();
        TextualizationReport report = run(second, items, captions);
        assertThat(report.cached()).isEqualTo(7);
        assertThat(report.captioned()).isEqualTo(5);
        assertThat(second.calls.get()).isEqualTo(5);
        List<Caption> lines = JsonLines.read(captions, Caption.class);
        assertThat(lines).hasSize(12);
        assertThat(lines.stream().map(Caption::itemId).distinct().count()).isEqualTo(12);

        Counting third = new Counting();
        TextualizationReport again = run(third, items, captions);
        assertThat(again.cached()).isEqualTo(12);
        assertThat(third.calls.get()).isZero();
        assertThat(again.distinctFraction()).isGreaterThan(0.5);
    }

    @Test
    void aChangedImageIsCaptionedAgain() throws Exception {
        List<Item> items = items(3);
        Path captions = dir.resolve("captions.jsonl");
        run(new BuiltinTextualizer(), items, captions);
        Files.write(Path.of(items.get(1).image()),
                TestImages.png(TestImages.poster(100, 100, Color.YELLOW, Color.MAGENTA, false)));
        Counting again = new Counting();
        TextualizationReport report = run(again, items, captions);
        assertThat(report.captioned()).isEqualTo(1);
        assertThat(report.cached()).isEqualTo(2);
        assertThat(again.calls.get()).isEqualTo(1);
    }
}
