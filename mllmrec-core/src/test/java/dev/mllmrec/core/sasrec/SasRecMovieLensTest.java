package dev.mllmrec.core.sasrec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Trains SASRec with its default config on the MovieLens posters subset and checks it is a strong baseline. Takes
 * minutes: runs only with {@code -Dmllmrec.slow=true} (and when the shared data is present).
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "mllmrec.slow", matches = "true")
class SasRecMovieLensTest {

    @Test
    void defaultConfigBeatsPopularityClearlyOnMovieLens() {
        Assumptions.assumeTrue(Files.isDirectory(MovieLensHarness.sharedDir().resolve("data/movielens/posters")),
                "MovieLens posters data not found under " + MovieLensHarness.sharedDir());
        MovieLensHarness.Data data = MovieLensHarness.load(MovieLensHarness.sharedDir());
        assertThat(data.sequences()).hasSizeGreaterThan(500);
        MovieLensHarness.Report r = MovieLensHarness.run(data, SasRecConfig.defaults(), 0);
        System.out.println("SASRec defaults: " + SasRecConfig.defaults());
        System.out.printf("params %d, steps %d, %.1f s%n", r.params(), r.steps(), r.seconds());
        System.out.println("test  9 neg: " + MovieLensHarness.format(r.test9()));
        System.out.println("test 99 neg: " + MovieLensHarness.format(r.test99()));
        System.out.println("popularity 9 neg: " + MovieLensHarness.format(r.popularity9()));
        assertThat(r.test9().get("HR@3")).isGreaterThanOrEqualTo(0.84);
        assertThat(r.test9().get("NDCG@3")).isGreaterThan(r.popularity9().get("NDCG@3") + 0.08);
    }
}
