package dev.mllmrec.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

    private static final double EPS = 1e-12;

    @Test
    void singleRankValuesByHand() {
        assertThat(RankingMetrics.hitRate(0, 1)).isEqualTo(1.0);
        assertThat(RankingMetrics.hitRate(1, 1)).isEqualTo(0.0);
        assertThat(RankingMetrics.hitRate(2, 3)).isEqualTo(1.0);
        assertThat(RankingMetrics.hitRate(3, 3)).isEqualTo(0.0);
        assertThat(RankingMetrics.ndcg(0, 1)).isCloseTo(1.0, within(EPS));
        assertThat(RankingMetrics.ndcg(1, 3)).isCloseTo(0.6309297535714575, within(EPS)); // 1/log2(3)
        assertThat(RankingMetrics.ndcg(2, 3)).isCloseTo(0.5, within(EPS)); // 1/log2(4)
        assertThat(RankingMetrics.ndcg(3, 3)).isEqualTo(0.0);
        assertThat(RankingMetrics.ndcg(9, 10)).isCloseTo(0.28906482631788766, within(EPS)); // 1/log2(11)
        assertThat(RankingMetrics.reciprocalRank(0)).isEqualTo(1.0);
        assertThat(RankingMetrics.reciprocalRank(3)).isEqualTo(0.25);
    }

    @Test
    void meansOverRanksByHand() {
        // ranks 0, 1, 4, 9: HR@1 = 1/4, HR@3 = 2/4, HR@5 = 3/4, HR@10 = 4/4
        Map<String, Double> m = RankingMetrics.summarize(new int[] {0, 1, 4, 9});
        assertThat(m).containsOnlyKeys("HR@1", "HR@3", "HR@5", "HR@10", "NDCG@1", "NDCG@3", "NDCG@5", "NDCG@10",
                "MRR");
        assertThat(m.get("HR@1")).isCloseTo(0.25, within(EPS));
        assertThat(m.get("HR@3")).isCloseTo(0.5, within(EPS));
        assertThat(m.get("HR@5")).isCloseTo(0.75, within(EPS));
        assertThat(m.get("HR@10")).isCloseTo(1.0, within(EPS));
        double n1 = 1.0;
        double n2 = 1 / (Math.log(3) / Math.log(2));
        double n5 = 1 / (Math.log(6) / Math.log(2));
        double n10 = 1 / (Math.log(11) / Math.log(2));
        assertThat(m.get("NDCG@1")).isCloseTo(n1 / 4, within(EPS));
        assertThat(m.get("NDCG@3")).isCloseTo((n1 + n2) / 4, within(EPS));
        assertThat(m.get("NDCG@5")).isCloseTo((n1 + n2 + n5) / 4, within(EPS));
        assertThat(m.get("NDCG@10")).isCloseTo((n1 + n2 + n5 + n10) / 4, within(EPS));
        // 0.25 * (1 + 1/2 + 1/5 + 1/10) = 0.45
        assertThat(m.get("MRR")).isCloseTo(0.45, within(EPS));
        assertThat(m.get("NDCG@3")).isCloseTo(0.4077324383928644, within(EPS));
    }

    @Test
    void emptyAndInvalidInput() {
        assertThat(RankingMetrics.summarize(new int[0]).values()).containsOnly(0.0);
        assertThatThrownBy(() -> RankingMetrics.hitRate(-1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> RankingMetrics.ndcg(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
