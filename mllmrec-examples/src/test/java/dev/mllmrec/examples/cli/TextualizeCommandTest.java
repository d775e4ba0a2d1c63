package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextualizeCommandTest {

    @TempDir
    Path dir;

    private static byte[] image(Color bg, Color fg, String format) throws Exception {
        BufferedImage img = new BufferedImage(60, 90, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(bg);
        g.fillRect(0, 0, 60, 90);
        g.setColor(fg);
        g.fillOval(15, 30, 30, 30);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Test
    void captionsTheCatalogAndWritesTheSummaryAndFailures() throws Exception {
        Path w = dir.resolve("w");
        Path images = Files.createDirectories(dir.resolve("img"));
        Files.write(images.resolve("1.jpg"), image(Color.BLACK, Color.RED, "jpeg"));
        Files.write(images.resolve("2.jpg"), image(Color.WHITE, Color.BLUE, "png"));
        Files.writeString(images.resolve("3.jpg"), "corrupt", StandardCharsets.UTF_8);
        List<Item> catalog = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            catalog.add(new Item(id, "Film " + id + " (2001)", List.of("Drama"), Map.of(), "/nowhere/" + id + ".jpg"));
        }
        Files.createDirectories(w);
        JsonLines.write(w.resolve("catalog.jsonl"), catalog);

        int rc = Main.run("textualize", "--work-dir", w.toString(), "--images", images.toString(), "--no-progress",
                "--export-json", w.resolve("captions.json").toString());
        assertThat(rc).isZero();
        JsonNode summary = Json.mapper().readTree(w.resolve("textualize/summary.json").toFile());
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = summary.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertThat(keys).contains("items", "captioned", "failed", "cached", "distinct_fraction", "mean_words",
                "seconds", "items_per_second");
        assertThat(summary.get("items").asInt()).isEqualTo(3);
        assertThat(summary.get("without_image").asInt()).isEqualTo(1);
        assertThat(summary.get("captioned").asInt()).isEqualTo(2);
        assertThat(summary.get("failed").asInt()).isEqualTo(1);
        assertThat(summary.get("title_leaks").asInt()).isZero();
        List<String> failures = Files.readAllLines(w.resolve("textualize/failures.jsonl"));
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).contains("\"itemId\":3").contains("not a recognised image format");
        assertThat(JsonLines.read(w.resolve("captions.jsonl"), Caption.class)).hasSize(2);
        assertThat(Files.readString(w.resolve("captions.json"))).contains("Film 1 (2001)");

        assertThat(Main.run("textualize", "--work-dir", w.toString(), "--images", images.toString(),
                "--no-progress")).isZero();
        JsonNode again = Json.mapper().readTree(w.resolve("textualize/summary.json").toFile());
        assertThat(again.get("cached").asInt()).isEqualTo(2);
        assertThat(again.get("captioned").asInt()).isZero();
    }

    @Test
    void theExitStatusSaysWhenAllOrTooManyItemsFailed() throws Exception {
        Path w = Files.createDirectories(dir.resolve("w"));
        Path images = Files.createDirectories(dir.resolve("img"));
        List<Item> catalog = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            Files.writeString(images.resolve(id + ".jpg"), "corrupt " + id, StandardCharsets.UTF_8);
            catalog.add(new Item(id, "Film " + id + " (2001)", List.of("Drama"), Map.of(), "/nowhere/" + id + ".jpg"));
        }
        JsonLines.write(w.resolve("catalog.jsonl"), catalog);
        assertThat(Main.run("textualize", "--work-dir", w.toString(), "--images", images.toString(),
                "--no-progress")).isEqualTo(1);
        assertThat(Json.mapper().readTree(w.resolve("textualize/summary.json").toFile()).get("failed").asInt())
                .isEqualTo(3);

        Files.write(images.resolve("1.jpg"), image(Color.BLACK, Color.RED, "jpeg"));
        Files.write(images.resolve("2.jpg"), image(Color.WHITE, Color.BLUE, "png"));
        Path w2 = Files.createDirectories(dir.resolve("w2"));
        JsonLines.write(w2.resolve("catalog.jsonl"), catalog);
        assertThat(Main.run("textualize", "--work-dir", w2.toString(), "--images", images.toString(),
                "--no-progress", "--max-failed-fraction", "0.2")).isEqualTo(1); // 1 of 3 failed
        assertThat(TextualizeCommand.exitStatus(1, 3, 0.5)).isZero();
        assertThat(TextualizeCommand.exitStatus(0, 0, 0.0)).isZero();
        assertThat(TextualizeCommand.exitStatus(2, 2, 1.0)).isEqualTo(1);
    }

    @Test
    void readsMovieLensDirectlyWhenThereIsNoCatalog() throws Exception {
        Path ml = dir.resolve("movielens");
        Files.createDirectories(ml.resolve("ml-latest-small"));
        Files.createDirectories(ml.resolve("posters"));
        Files.writeString(ml.resolve("ml-latest-small/movies.csv"), "movieId,title,genres\n"
                + "1,Toy Story (1995),Adventure|Animation\n"
                + "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
                + "12,\"Say \"\"Hi\"\" (2000)\",(no genres listed)\n"
                + "13,No Poster (1999),Drama\n", StandardCharsets.UTF_8);
        for (int id : new int[] {1, 11, 12}) {
            Files.write(ml.resolve("posters/" + id + ".jpg"), image(Color.DARK_GRAY, Color.ORANGE, "jpeg"));
        }
        List<Item> items = TextualizeCommand.MovieLensPosters.read(ml);
        assertThat(items).extracting(Item::id).containsExactly(1, 11, 12);
        assertThat(items.get(1).title()).isEqualTo("American President, The (1995)");
        assertThat(items.get(2).title()).isEqualTo("Say \"Hi\" (2000)");
        assertThat(items.get(2).genres()).isEmpty();

        Path w = dir.resolve("w2");
        assertThat(Main.run("textualize", "--work-dir", w.toString(), "--movielens", ml.toString(), "--limit", "2",
                "--no-progress")).isZero();
        JsonNode summary = Json.mapper().readTree(w.resolve("textualize/summary.json").toFile());
        assertThat(summary.get("items").asInt()).isEqualTo(2);
        assertThat(summary.get("captioned").asInt()).isEqualTo(2);
    }

    @Test
    void missingCatalogAndOpenAiWithoutServerAreUserErrors() {
        assertThat(Main.run("textualize", "--work-dir", dir.resolve("empty").toString(), "--no-progress"))
                .isEqualTo(2);
        assertThat(Main.run("textualize", "--work-dir", dir.toString(), "--movielens", dir.toString(),
                "--no-progress")).isEqualTo(2);
    }
}
