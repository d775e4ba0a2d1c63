package dev.mllmrec.core.textualize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import java.awt.Color;
import java.awt.GradientPaint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class BuiltinTextualizerTest {

    private final BuiltinTextualizer textualizer = new BuiltinTextualizer();

    private static List<byte[]> variedImages() {
        List<byte[]> out = new ArrayList<>();
        Color[] colours = {Color.BLACK, Color.WHITE, Color.RED, Color.BLUE, new Color(20, 120, 40),
            new Color(90, 20, 110)};
        for (int i = 0; i < colours.length; i++) {
            for (int j = 0; j < colours.length; j++) {
                if (i != j) {
                    out.add(TestImages.jpeg(TestImages.poster(185, 278, colours[i], colours[j], (i + j) % 2 == 0)));
                }
            }
        }
        return out;
    }

    @Test
    void captionsHaveAtMostFiftyWordsAndDescribeThePalette() throws Exception {
        byte[] img = TestImages.jpeg(TestImages.poster(185, 278, Color.BLACK, Color.RED, true));
        String caption = textualizer.describe(Item.of(1, "Something Else (2001)"), img);
        assertThat(CaptionWriter.words(caption)).isBetween(10, CaptionWriter.MAX_WORDS);
        assertThat(caption).contains("black").contains("portrait").endsWith(".");
        for (byte[] b : variedImages()) {
            assertThat(CaptionWriter.words(textualizer.describe(Item.of(2, "Anything (1999)"), b)))
                    .isLessThanOrEqualTo(CaptionWriter.MAX_WORDS);
        }
    }

    @Test
    void theCaptionNeverContainsATitleMadeOfColourWords() throws Exception {
        byte[] img = TestImages.jpeg(TestImages.poster(185, 278, Color.BLACK, Color.RED, true));
        String plain = textualizer.describe(Item.of(1, "Unrelated (2000)"), img);
        assertThat(plain).contains("black");
        for (String title : List.of("Black (2009)", "Black and Red (1999)", "Black Red, The (2010)", "Red (2010)",
                "Portrait (2001)", "Black Portrait Poster (2002)", "Dark, Soft and Muted (2003)", "5 (2004)")) {
            TitleGuard guard = TitleGuard.of(title);
            String caption = textualizer.describe(Item.of(7, title), img);
            assertThat(guard.appearsIn(caption)).as("%s in %s", title, caption).isFalse();
            assertThat(CaptionWriter.words(caption)).isBetween(3, CaptionWriter.MAX_WORDS);
        }
        // One-word colour titles: the colour is then named another way, never by the title's word.
        String caption = textualizer.describe(Item.of(8, "Black (2009)"), img);
        assertThat(TitleGuard.normalise(caption, false)).doesNotContain("black");
        assertThat(caption).contains("jet");
    }

    @Test
    void captionsAreDeterministicAcrossInstancesAndThreads() throws Exception {
        List<byte[]> images = variedImages();
        Item item = Item.of(3, "Some Title (1990)");
        List<String> first = new ArrayList<>();
        for (byte[] b : images) {
            first.add(textualizer.describe(item, b));
        }
        BuiltinTextualizer other = new BuiltinTextualizer();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (byte[] b : images) {
                futures.add(pool.submit(() -> other.describe(item, b)));
            }
            for (int i = 0; i < images.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(first.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(new HashSet<>(first).size()).as("distinct captions of different images")
                .isGreaterThanOrEqualTo((int) Math.ceil(0.95 * first.size()));
    }

    @Test
    void lightAndDetailAreDescribed() throws Exception {
        byte[] spot = TestImages.png(TestImages.poster(185, 278, Color.BLACK, Color.WHITE, false));
        String caption = textualizer.describe(Item.of(4, "Title (2000)"), spot);
        assertThat(caption).containsAnyOf("bright subject", "lit central subject");
        byte[] gradient = TestImages.png(TestImages.paint(185, 278, g -> {
            g.setPaint(new GradientPaint(0, 0, Color.WHITE, 0, 278, Color.BLACK));
            g.fillRect(0, 0, 185, 278);
        }));
        String fade = textualizer.describe(Item.of(5, "Title (2000)"), gradient);
        assertThat(fade).containsAnyOf("from above", "upper part glows");
        assertThat(fade).containsAnyOf("calm and smooth", "sparse");
    }

    @Test
    void realPostersAreShortDistinctAndTitleFree() throws Exception {
        Path posters = TestImages.postersDir();
        Assumptions.assumeTrue(posters != null, "MovieLens posters are not beside the project.");
        Path movies = posters.getParent().resolve("ml-latest-small").resolve("movies.csv");
        Map<Integer, String> titles = new HashMap<>();
        for (String line : Files.readAllLines(movies).subList(1, Files.readAllLines(movies).size())) {
            int comma = line.indexOf(',');
            String rest = line.substring(comma + 1);
            String title = rest.startsWith("\"") ? rest.substring(1, rest.lastIndexOf('"')).replace("\"\"", "\"")
                    : rest.substring(0, rest.lastIndexOf(','));
            titles.put(Integer.parseInt(line.substring(0, comma)), title);
        }
        List<Path> sample;
        try (Stream<Path> files = Files.list(posters)) {
            sample = files.sorted().limit(100).toList();
        }
        Set<String> distinct = new HashSet<>();
        for (Path p : sample) {
            int id = Integer.parseInt(p.getFileName().toString().replace(".jpg", ""));
            String title = titles.get(id);
            String caption;
            try {
                caption = textualizer.describe(new Item(id, title, null, null, p.toString()), Files.readAllBytes(p));
            } catch (TextualizationException e) {
                throw new AssertionError(e.getMessage(), e);
            }
            assertThat(CaptionWriter.words(caption)).isLessThanOrEqualTo(CaptionWriter.MAX_WORDS);
            assertThat(TitleGuard.of(title).appearsIn(caption)).as("%s: %s", title, caption).isFalse();
            distinct.add(caption);
        }
        assertThat((double) distinct.size() / sample.size()).isGreaterThanOrEqualTo(0.95);
    }
}
