package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.baseline.PopularityRecommender;
import dev.mllmrec.core.baseline.RandomRecommender;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The measured facts of the shared MovieLens posters subset; skipped when {@code ../shared/data} is absent. */
class RealMovieLensTest {

    private static final Path ROOT = Path.of("..", "..", "shared", "data", "movielens").toAbsolutePath().normalize();

    @Test
    void postersSubsetHas575UsersAndSaneBaselines() {
        assumeThat(Files.isDirectory(ROOT.resolve("ml-latest-small"))).as("shared MovieLens data at " + ROOT)
                .isTrue();
        Dataset d = MovieLensReader.builder().setRoot(ROOT).optImagesOnly(true).build().read();
        assertThat(d.stats().itemsRead()).isEqualTo(9742);
        assertThat(d.stats().interactionsRead()).isEqualTo(100_836);
        assertThat(d.stats().itemsWithImage()).isEqualTo(2947);
        assertThat(d.stats().interactionsRead() - d.stats().interactionsWithoutImage()).isEqualTo(58_498);
        assertThat(d.stats().users()).isEqualTo(575);
        assertThat(d.catalog().find(11).title()).isEqualTo("American President, The (1995)");

        SamplingConfig config = new SamplingConfig(d.name(), d.fingerprint(), Split.TEST, 9, 9,
                NegativeSampler.UNIFORM_WINDOW, 42);
        List<RecommendationSample> test = SampleGenerator.generate(d.catalog(), d.sequences(), config);
        assertThat(test).hasSize(575);
        Evaluator evaluator = new Evaluator(256, false);
        Evaluation random = evaluator.evaluate(new RandomRecommender(42), test);
        Evaluation popularity = evaluator.evaluate(
                PopularityRecommender.fit(LeaveOneOut.trainingPrefixes(d.sequences()), 42), test);
        assertThat(random.metrics().get("HR@1")).isBetween(0.07, 0.13);
        assertThat(popularity.metrics().get("HR@3")).isGreaterThan(0.6);
    }
}
