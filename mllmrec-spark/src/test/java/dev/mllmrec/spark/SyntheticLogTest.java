package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.data.Dataset;
import dev.mllmrec.core.data.MovieLensReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic log: exact size, a function of its settings, readable as MovieLens. */
class SyntheticLogTest {

    @TempDir
    Path tmp;

    @Test
    void theLogHasExactlyTheInteractionsAskedForAndIsTheSameEveryTime() throws Exception {
        SyntheticLog.Spec spec = new SyntheticLog.Spec(300, 5_000, 20, 10, 7);
        SyntheticLog.Written a = SyntheticLog.write(spec, tmp.resolve("a"));
        SyntheticLog.write(spec, tmp.resolve("b"));
        List<String> ratings = Files.readAllLines(tmp.resolve("a/ratings.csv"));
        assertThat(ratings).hasSize(5_001);
        assertThat(a.interactions()).isEqualTo(5_000);
        assertThat(Files.readAllBytes(tmp.resolve("a/ratings.csv")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("b/ratings.csv")));
        assertThat(Files.readAllBytes(tmp.resolve("a/movies.csv")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("b/movies.csv")));
        SyntheticLog.write(new SyntheticLog.Spec(300, 5_000, 20, 10, 8), tmp.resolve("c"));
        assertThat(Files.readAllBytes(tmp.resolve("c/ratings.csv")))
                .isNotEqualTo(Files.readAllBytes(tmp.resolve("a/ratings.csv")));
    }

    @Test
    void theSingleMachineReaderReadsItAndEveryUserButTheLastHasTheMinimumLength() {
        SyntheticLog.Written w = SyntheticLog.write(new SyntheticLog.Spec(200, 3_000, 15, 10, 1), tmp);
        Dataset d = MovieLensReader.builder().setRoot(tmp).optMinInteractions(1).build().read();
        assertThat(d.stats().interactions()).isEqualTo(3_000);
        assertThat(d.sequences()).hasSize((int) w.users());
        for (int i = 0; i < d.sequences().size() - 1; i++) {
            assertThat(d.sequences().get(i).size()).isBetween(10, 20);
        }
        assertThat(d.catalog().items().get(0).genres()).isNotEmpty();
    }

    @Test
    void postersAreReproducibleAndTheReaderFindsThem() throws Exception {
        SyntheticLog.Spec spec = new SyntheticLog.Spec(30, 400, 15, 10, 3);
        SyntheticLog.write(spec, tmp.resolve("a"));
        assertThat(SyntheticLog.writeImages(spec, tmp.resolve("a"))).isEqualTo(30);
        SyntheticLog.writeImages(spec, tmp.resolve("b"));
        assertThat(Files.readAllBytes(tmp.resolve("a/posters/7.png")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("b/posters/7.png")));
        Dataset d = MovieLensReader.builder().setRoot(tmp.resolve("a")).optMinInteractions(1).build().read();
        assertThat(d.catalog().items()).allMatch(dev.mllmrec.api.Item::hasImage);
    }
}
