package dev.mllmrec.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    private static Recommender recommender(Function<RankingRequest, List<Integer>> order) {
        return new Recommender() {
            @Override
            public String name() {
                return "fixed";
            }

            @Override
            public Ranking rank(RankingRequest request) {
                List<ScoredItem> items = new ArrayList<>();
                List<Integer> ids = order.apply(request);
                for (int i = 0; i < ids.size(); i++) {
                    items.add(new ScoredItem(ids.get(i), -i));
                }
                return new Ranking(request.userId(), items);
            }
        };
    }

    private static final List<RecommendationSample> SAMPLES = List.of(
            new RecommendationSample("a", "1", List.of(9), 1, List.of(1, 2, 3, 4)),
            new RecommendationSample("b", "2", List.of(9), 2, List.of(1, 2, 3, 4)),
            new RecommendationSample("c", "3", List.of(9), 4, List.of(1, 2, 3, 4)));

    @Test
    void scoresTheTargetRankOfEveryRanking() {
        // Candidate order as given: target ranks 0, 1, 3.
        Evaluation e = new Evaluator(2, false).evaluate(recommender(RankingRequest::candidates), SAMPLES);
        assertThat(e.results()).extracting(SampleResult::rank).containsExactly(0, 1, 3);
        assertThat(e.results().get(0)).isEqualTo(new SampleResult("a", "1", 1, 0, List.of(1, 2, 3, 4)));
        assertThat(e.metrics().get("HR@1")).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(e.metrics().get("HR@3")).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(e.metrics().get("MRR")).isCloseTo((1 + 0.5 + 0.25) / 3, within(1e-12));
    }

    @Test
    void rejectsRankingsThatAreNotPermutationsOfTheCandidates() {
        assertThatThrownBy(() -> new Evaluator(8, false).evaluate(recommender(r -> List.of(1, 2, 3)), SAMPLES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Recommender fixed ranked sample a without the candidates [4]");
        assertThatThrownBy(() -> new Evaluator(8, false).evaluate(recommender(r -> List.of(1, 1, 2, 3, 4)), SAMPLES))
                .hasMessageContaining("item 1 twice");
        assertThatThrownBy(() -> new Evaluator(8, false).evaluate(recommender(r -> List.of(1, 2, 3, 4, 5)), SAMPLES))
                .hasMessageContaining("item 5, which is not a candidate");
    }
}
