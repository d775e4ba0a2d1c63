package dev.mllmrec.core.sasrec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.ScoredItem;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SasRecRecommenderTest {

    private static final List<Integer> ITEMS = IntStream.rangeClosed(1, 30).boxed().toList();

    private static SasRecModel model() {
        return SasRecModel.create(SasRecConfig.builder().optMaxLength(6).optHiddenSize(8).optSeed(5).build(), ITEMS);
    }

    @Test
    void ranksEveryCandidateOnceBestFirstUnknownLast() {
        try (SasRecModel model = model()) {
            SasRecRecommender rec = new SasRecRecommender(model);
            Ranking r = rec.rank(new RankingRequest("u", List.of(1, 2, 3), List.of(4, 99, 5, 6, 4)));
            assertThat(r.userId()).isEqualTo("u");
            assertThat(r.ids()).containsExactlyInAnyOrder(4, 99, 5, 6).endsWith(99);
            List<Double> scores = r.items().stream().map(ScoredItem::score).toList();
            assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        }
    }

    @Test
    void tiesBreakByAscendingItemId() {
        try (SasRecModel model = model()) {
            Ranking r = new SasRecRecommender(model).rank(new RankingRequest("u", List.of(1), List.of(97, 95, 96)));
            assertThat(r.ids()).containsExactly(95, 96, 97); // all unknown: equal scores
        }
    }

    @Test
    void batchRankingEqualsOneByOneAndIgnoresCandidateOrder() {
        try (SasRecModel model = model()) {
            SasRecRecommender rec = new SasRecRecommender(model);
            List<RankingRequest> requests = List.of(
                    new RankingRequest("a", List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), List.of(10, 11, 12)),
                    new RankingRequest("b", List.of(), List.of(1, 2)),
                    new RankingRequest("c", List.of(30), List.of(12, 11, 10, 13, 14)));
            List<Ranking> batch = rec.rankAll(requests);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(batch.get(i)).isEqualTo(rec.rank(requests.get(i)));
            }
            Ranking shuffled = rec.rank(new RankingRequest("a", requests.get(0).history(), List.of(12, 10, 11)));
            assertThat(shuffled.items()).isEqualTo(batch.get(0).items());
        }
    }

    @Test
    void loadsACheckpointAndOwnsIt(@TempDir Path dir) {
        RankingRequest request = new RankingRequest("u", List.of(3, 4), List.of(5, 6, 7));
        Ranking expected;
        try (SasRecModel model = model()) {
            model.save(dir);
            expected = new SasRecRecommender(model).rank(request);
        }
        try (SasRecRecommender loaded = SasRecRecommender.load(dir)) {
            assertThat(loaded.name()).isEqualTo("sasrec");
            assertThat(loaded.rank(request)).isEqualTo(expected);
        }
    }
}
