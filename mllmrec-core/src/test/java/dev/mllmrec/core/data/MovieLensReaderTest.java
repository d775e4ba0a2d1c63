package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.UserHistory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensReaderTest {

    @TempDir
    Path dir;

    private Path small(String movies, String ratings) throws IOException {
        Path csv = dir.resolve("ml-latest-small");
        Files.createDirectories(csv);
        Files.writeString(csv.resolve("movies.csv"), movies, StandardCharsets.UTF_8);
        Files.writeString(csv.resolve("ratings.csv"), ratings, StandardCharsets.UTF_8);
        return csv;
    }

    @Test
    void readsItemsLinksImagesAndChronologicalSequences() throws IOException {
        Path csv = small("movieId,title,genres\n"
                        + "1,\"Heat, The (1995)\",Action|Crime\n2,B (1990),(no genres listed)\n3,C,Drama\n",
                "userId,movieId,rating,timestamp\n"
                        + "10,3,4.0,200\n10,2,3.5,100\n10,1,5.0,200\n2,1,1.0,5\n2,3,2.0,6\n");
        Files.writeString(csv.resolve("links.csv"), "movieId,imdbId,tmdbId\n1,0113277,949\n2,0000002,\n");
        Path posters = Files.createDirectories(dir.resolve("posters"));
        Files.write(posters.resolve("1.jpg"), new byte[] {1});
        Files.write(posters.resolve("3.png"), new byte[] {1});
        Files.writeString(posters.resolve("notes.txt"), "x");
        Files.write(posters.resolve("99.jpg"), new byte[] {1});

        Dataset d = MovieLensReader.builder().setRoot(dir).optMinInteractions(1).build().read();

        Item heat = d.catalog().get(1);
        assertThat(heat.title()).isEqualTo("Heat, The (1995)");
        assertThat(heat.genres()).containsExactly("Action", "Crime");
        assertThat(heat.attributes()).containsEntry("imdbId", "0113277").containsEntry("tmdbId", "949");
        assertThat(heat.image()).isEqualTo(posters.resolve("1.jpg").toAbsolutePath().normalize().toString());
        assertThat(d.catalog().get(2).genres()).isEmpty();
        assertThat(d.catalog().get(2).attributes()).doesNotContainKey("tmdbId");
        assertThat(d.catalog().get(2).hasImage()).isFalse();
        // users in numeric order; ties on timestamp broken by item id
        assertThat(d.sequences()).containsExactly(new UserHistory("2", List.of(1, 3)),
                new UserHistory("10", List.of(2, 1, 3)));
        assertThat(d.stats().itemsWithImage()).isEqualTo(2);
        assertThat(d.stats().imageFilesIgnored()).isEqualTo(2);
        assertThat(d.stats().interactions()).isEqualTo(5);
    }

    @Test
    void imagesOnlyFilterRunsBeforeMinInteractions() throws IOException {
        small("movieId,title,genres\n1,A,x\n2,B,x\n3,C,x\n",
                "userId,movieId,rating,timestamp\n1,1,4,1\n1,2,4,2\n1,3,4,3\n2,1,4,1\n2,3,4,2\n");
        Path posters = Files.createDirectories(dir.resolve("posters"));
        Files.write(posters.resolve("1.jpg"), new byte[] {1});
        Files.write(posters.resolve("3.jpg"), new byte[] {1});

        Dataset d = MovieLensReader.builder().setRoot(dir).optImagesOnly(true).optMinInteractions(2).build().read();
        assertThat(d.sequences()).containsExactly(new UserHistory("1", List.of(1, 3)),
                new UserHistory("2", List.of(1, 3)));
        assertThat(d.catalog().ids()).containsExactly(1, 3);
        assertThat(d.stats().interactionsWithoutImage()).isEqualTo(1);

        Dataset three = MovieLensReader.builder().setRoot(dir).optImagesOnly(true).optMinInteractions(3).build()
                .read();
        assertThat(three.sequences()).isEmpty();
        assertThat(three.stats().usersBelowMinInteractions()).isEqualTo(2);
    }

    @Test
    void unknownItemIsFatalInStrictModeAndCountedInLenientMode() throws IOException {
        small("movieId,title,genres\n1,A,x\n", "userId,movieId,rating,timestamp\n1,1,4,1\n1,42,4,2\n");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).optMinInteractions(1).build().read())
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("ratings.csv, line 3")
                .hasMessageContaining("movieId 42 is not in movies.csv")
                .hasMessageContaining("value: '42'");
        Dataset d = MovieLensReader.builder().setRoot(dir).optMinInteractions(1).optLenient(true).build().read();
        assertThat(d.stats().skipped()).containsEntry("unknown-item", 1L);
        assertThat(d.stats().interactions()).isEqualTo(1);
    }

    @Test
    void malformedRowsNameFileLineAndValue() throws IOException {
        small("movieId,title,genres\n1,A,x\n2,B\n", "userId,movieId,rating,timestamp\n1,1,4,1\n");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).build().read())
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("movies.csv, line 3")
                .hasMessageContaining("expected 3 comma-separated fields but found 2")
                .hasMessageContaining("value: '2,B'");
        small("movieId,title,genres\n1,A,x\n", "userId,movieId,rating,timestamp\n1,one,4,1\n");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).build().read())
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("ratings.csv, line 2")
                .hasMessageContaining("movieId is not a positive integer");
        small("movieId,title,genres\n1,A,x\n", "userId,movieId,rating,timestamp\n1,1,4,yesterday\n");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).build().read())
                .hasMessageContaining("timestamp is not an integer");
        small("movieId,title,genres\n1,A,x\n1,B,y\n", "userId,movieId,rating,timestamp\n1,1,4,1\n");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).build().read())
                .hasMessageContaining("movieId 1 is defined twice");
    }

    @Test
    void emptyRatingsFileIsAnError() throws IOException {
        small("movieId,title,genres\n1,A,x\n", "");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).optLenient(true).build().read())
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("ratings.csv: the file is empty");
    }

    @Test
    void unreadableImageIsFatalInStrictModeAndCountedInLenientMode() throws IOException {
        small("movieId,title,genres\n1,A,x\n2,B,x\n", "userId,movieId,rating,timestamp\n1,1,4,1\n1,2,4,2\n");
        Path posters = Files.createDirectories(dir.resolve("posters"));
        Files.write(posters.resolve("1.jpg"), new byte[] {1});
        Files.write(posters.resolve("2.jpg"), new byte[0]);
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).optImagesOnly(true).optMinInteractions(1)
                .build().read())
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("2.jpg")
                .hasMessageContaining("the image file is empty");
        Dataset d = MovieLensReader.builder().setRoot(dir).optImagesOnly(true).optMinInteractions(1)
                .optLenient(true).build().read();
        assertThat(d.stats().skipped()).containsEntry("unreadable-image", 1L);
        assertThat(d.catalog().ids()).containsExactly(1);
    }

    @Test
    void builderRejectsMissingFoldersWithASentence() throws IOException {
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir.resolve("nope")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        small("movieId,title,genres\n1,A,x\n", "userId,movieId,rating,timestamp\n1,1,4,1\n");
        assertThatThrownBy(() -> MovieLensReader.builder().setRoot(dir).optImagesOnly(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no posters/ folder");
    }

    @Test
    void syntheticFixtureReadsWithUnicodeAndQuotedTitles() throws IOException {
        MovieLensFixture.write(dir, 20, 40, 30);
        Dataset d = MovieLensReader.builder().setRoot(dir).optImagesOnly(true).build().read();
        assertThat(d.catalog().items()).allMatch(Item::hasImage);
        assertThat(d.catalog().find(2).title()).contains("Amélie").contains("東京");
        assertThat(d.catalog().find(4).title()).isEqualTo("Movie 4, The (1999)");
        assertThat(d.catalog().find(1).title()).isEqualTo("Movie \"Quoted\" 1 (2001)");
        assertThat(d.sequences()).allMatch(s -> s.size() >= 10);
        assertThat(d.fingerprint()).hasSize(64).isEqualTo(
                MovieLensReader.builder().setRoot(dir).optImagesOnly(true).build().read().fingerprint());
    }
}
