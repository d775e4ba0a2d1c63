package dev.mllmrec.core.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.api.UserHistory;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HoldOutTest {

    private static final List<Integer> CATALOG = IntStream.rangeClosed(1, 200).boxed().toList();
    private static final UserHistory USER = new UserHistory("7",
            IntStream.rangeClosed(1, 15).boxed().toList());

    @Test
    void prefixesDropTheHeldOutItems() {
        assertThat(HoldOut.prefixes(List.of(USER, new UserHistory("short", List.of(1, 2, 3))), 2))
                .containsExactly(new UserHistory("7", IntStream.rangeClosed(1, 13).boxed().toList()));
    }

    @Test
    void testAndValidationSamplesFollowTheProtocol() {
        RecommendationSample test = HoldOut.samples(List.of(USER), HoldOut.TEST, 9, 9, CATALOG, 1).get(0);
        assertThat(test.target()).isEqualTo(15);
        assertThat(test.history()).containsExactly(6, 7, 8, 9, 10, 11, 12, 13, 14);
        assertThat(test.candidates()).hasSize(10).contains(15).doesNotContainAnyElementsOf(test.history());
        assertThat(test.sampleId()).isEqualTo("7-test");

        RecommendationSample validation = HoldOut.samples(List.of(USER), HoldOut.VALIDATION, 9, 99, CATALOG, 1)
                .get(0);
        assertThat(validation.target()).isEqualTo(14);
        assertThat(validation.history()).containsExactly(5, 6, 7, 8, 9, 10, 11, 12, 13);
        assertThat(validation.candidates()).hasSize(100).doesNotContain(5, 13);

        assertThat(HoldOut.samples(List.of(USER), HoldOut.TEST, 9, 9, CATALOG, 1)).containsExactly(test);
        assertThat(HoldOut.samples(List.of(USER), HoldOut.TEST, 9, 9, CATALOG, 2)).doesNotContain(test);
    }

    @Test
    void aTooSmallCatalogIsNamed() {
        assertThatThrownBy(() -> HoldOut.samples(List.of(USER), HoldOut.TEST, 9, 195, CATALOG, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("195 negatives");
    }

    @Test
    void metricsMatchHandComputedValues() {
        List<RecommendationSample> samples = List.of(
                new RecommendationSample("a", "a", List.of(), 1, List.of(1, 2, 3, 4, 5, 6)),
                new RecommendationSample("b", "b", List.of(), 3, List.of(1, 2, 3, 4, 5, 6)),
                new RecommendationSample("c", "c", List.of(), 6, List.of(1, 2, 3, 4, 5, 6)));
        Ranking ordered = new Ranking("x", IntStream.rangeClosed(1, 6)
                .mapToObj(i -> new ScoredItem(i, -i)).toList());
        Map<String, Double> m = HoldOut.metrics(samples, List.of(ordered, ordered, ordered));
        // Ranks 0, 2 and 5.
        assertThat(m.get("HR@1")).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(m.get("HR@3")).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.get("HR@5")).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(m.get("HR@10")).isCloseTo(1.0, within(1e-12));
        assertThat(m.get("NDCG@3")).isCloseTo((1 + 0.5) / 3, within(1e-12));
        assertThat(m.get("NDCG@10")).isCloseTo((1 + 0.5 + 1 / (Math.log(7) / Math.log(2))) / 3, within(1e-12));
        assertThat(m.get("MRR")).isCloseTo((1 + 1 / 3.0 + 1 / 6.0) / 3, within(1e-12));
        assertThat(m.get("count")).isEqualTo(3.0);
    }
}
