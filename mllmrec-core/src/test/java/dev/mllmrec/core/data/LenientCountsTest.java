package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.InvalidDataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lenient reading counts every dropped record by file and kind; timestamps outside a sane range are bad input. */
class LenientCountsTest {

    @TempDir
    Path dir;

    private MovieLensReader reader(String movies, String ratings, boolean lenient) throws Exception {
        Files.writeString(dir.resolve("movies.csv"), movies);
        Files.writeString(dir.resolve("ratings.csv"), ratings);
        return MovieLensReader.builder().setRoot(dir).optMinInteractions(1).optLenient(lenient).build();
    }

    @Test
    void anUnbalancedQuoteIsCountedWithEveryLineAndRatingItSwallowed() throws Exception {
        StringBuilder movies = new StringBuilder("movieId,title,genres\n1,A (1995),Drama\n2,\"B (1995),Drama\n");
        for (int k = 3; k <= 9; k++) {
            movies.append(k).append(",X").append(k).append(" (1995),Drama\n");
        }
        movies.append("10,\"J (1995)\",Drama\n11,K (1995),Drama\n");
        StringBuilder ratings = new StringBuilder("userId,movieId,rating,timestamp\n");
        for (int m = 1; m <= 11; m++) {
            ratings.append("1,").append(m).append(",4.0,").append(1000 + m).append('\n');
            ratings.append("2,").append(m).append(",3.0,").append(2000 + m).append('\n');
        }
        Dataset d = reader(movies.toString(), ratings.toString(), true).read();

        assertThat(d.catalog().size()).isEqualTo(2); // movies 1 and 11
        DataStats s = d.stats();
        assertThat(s.dropped().get("movies.csv")).containsExactlyInAnyOrderEntriesOf(
                Map.of("records", 1L, "lines", 9L, "malformed-line", 1L));
        assertThat(s.dropped().get("ratings.csv")).containsExactlyInAnyOrderEntriesOf(
                Map.of("records", 18L, "lines", 18L, "unknown-item", 18L));
        assertThat(s.droppedExamples().get("movies.csv")).singleElement().asString()
                .contains("movies.csv").contains("spans lines 3-11, all 9 dropped");
        assertThat(s.droppedExamples().get("ratings.csv")).hasSize(DataIssues.EXAMPLES_PER_FILE);
        assertThat(s.skipped()).containsEntry("malformed-line", 1L).containsEntry("unknown-item", 18L);
    }

    @Test
    void aNegativeTimestampIsAnErrorInStrictModeNamingFileLineAndValue() throws Exception {
        MovieLensReader strict = reader("movieId,title,genres\n1,A (1995),Drama\n",
                "userId,movieId,rating,timestamp\n1,1,4.0,100\n1,1,4.0,-86400\n", false);
        assertThatThrownBy(strict::read).isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("ratings.csv").hasMessageContaining("3").hasMessageContaining("-86400")
                .hasMessageContaining("sane range");
    }

    @Test
    void outOfRangeTimestampsAreCountedInLenientMode() throws Exception {
        Dataset d = reader("movieId,title,genres\n1,A (1995),Drama\n2,B (1995),Drama\n",
                "userId,movieId,rating,timestamp\n1,1,4.0,100\n1,2,4.0,-1\n1,2,4.0,99999999999\n", true).read();
        assertThat(d.sequences()).singleElement().satisfies(h -> assertThat(h.items()).containsExactly(1));
        assertThat(d.stats().skipped()).containsExactly(Map.entry("bad-timestamp", 2L));
        assertThat(d.stats().dropped().get("ratings.csv")).containsEntry("bad-timestamp", 2L)
                .containsEntry("records", 2L);
    }
}
