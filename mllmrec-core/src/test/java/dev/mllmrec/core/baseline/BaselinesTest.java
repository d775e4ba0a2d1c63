package dev.mllmrec.core.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.Evaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BaselinesTest {

    private static final List<List<Integer>> TRAIN = List.of(
            List.of(1, 2, 3, 1, 2),
            List.of(1, 2, 4),
            List.of(5, 3, 1),
            List.of(2, 3));

    @Test
    void randomIsAPermutationDeterministicPerRequestAndSeed() {
        RandomRecommender r = new RandomRecommender(42);
        RankingRequest req = new RankingRequest("7", List.of(1), List.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19));
        Ranking a = r.rank(req);
        assertThat(a.ids()).containsExactlyInAnyOrderElementsOf(req.candidates());
        assertThat(r.rank(req)).isEqualTo(a);
        assertThat(new RandomRecommender(42).rankAll(List.of(req, req))).containsExactly(a, a);
        assertThat(new RandomRecommender(43).rank(req).ids()).isNotEqualTo(a.ids());
    }

    @Test
    void randomHitRateIsOneOverTheCandidates() {
        SplittableRandom rnd = new SplittableRandom(5);
        List<RecommendationSample> samples = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int base = 100 * i;
            List<Integer> cands = IntStream.range(0, 10).map(k -> base + k + 1).boxed().toList();
            samples.add(new RecommendationSample("s" + i, "u" + i, List.of(1), cands.get(rnd.nextInt(10)), cands));
        }
        Evaluation e = new Evaluator(500, false).evaluate(new RandomRecommender(42), samples);
        assertThat(e.metrics().get("HR@1")).isBetween(0.08, 0.12);
        assertThat(e.metrics().get("HR@5")).isBetween(0.45, 0.55);
    }

    @Test
    void popularityCountsTrainingOccurrences() {
        PopularityRecommender p = PopularityRecommender.fit(TRAIN, 42);
        assertThat(p.count(1)).isEqualTo(4);
        assertThat(p.count(2)).isEqualTo(4);
        assertThat(p.count(3)).isEqualTo(3);
        assertThat(p.count(99)).isZero();
        Ranking r = p.rank(new RankingRequest("u", List.of(), List.of(99, 4, 3, 5)));
        assertThat(r.ids().subList(0, 1)).containsExactly(3);
        assertThat(r.ids()).containsExactlyInAnyOrder(99, 4, 3, 5);
    }

    @Test
    void popularityTiesAreSeededNotCandidateOrder() {
        // 40 unseen items: all tied at 0. The order must be the same whatever the candidate order.
        PopularityRecommender p = PopularityRecommender.fit(TRAIN, 42);
        List<Integer> cands = IntStream.rangeClosed(100, 139).boxed().toList();
        List<Integer> reversed = new ArrayList<>(cands);
        java.util.Collections.reverse(reversed);
        List<Integer> a = p.rank(new RankingRequest("u", List.of(), cands)).ids();
        assertThat(p.rank(new RankingRequest("u", List.of(), reversed)).ids()).isEqualTo(a);
        assertThat(a).isNotEqualTo(cands).isNotEqualTo(reversed);
        assertThat(PopularityRecommender.fit(TRAIN, 7).rank(new RankingRequest("u", List.of(), cands)).ids())
                .isNotEqualTo(a);
    }

    @Test
    void markovScoresTransitionsFromTheLastItemWithDecayingBackOff() {
        MarkovRecommender m = MarkovRecommender.fit(TRAIN, 0.5, 42);
        // transitions: 1->2 (x3), 2->3 (x2), 3->1 (x2), 2->4, 5->3
        // out(1) = 3, out(2) = 3, out(3) = 2, out(5) = 1
        assertThat(m.score(List.of(2), 3)).isEqualTo(2.0 / 3);
        assertThat(m.score(List.of(2), 4)).isEqualTo(1.0 / 3);
        assertThat(m.score(List.of(5, 2), 3)).isEqualTo(2.0 / 3 + 0.5 * 1.0);
        assertThat(m.score(List.of(1), 5)).isZero();
        Ranking r = m.rank(new RankingRequest("u", List.of(1, 2), List.of(4, 5, 3, 1, 2)));
        // after 2: 3 (2/3), 4 (1/3); back-off from 1: 2 (0.5 * 1); then popularity for the rest: 1 (4) before 5 (1)
        assertThat(r.ids()).containsExactly(3, 2, 4, 1, 5);
    }

    @Test
    void markovRejectsABadDecay() {
        assertThatThrownBy(() -> MarkovRecommender.fit(TRAIN, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decay");
    }

    @Test
    void baselinesAreSafeToShareAcrossThreads() throws Exception {
        Recommender m = MarkovRecommender.fit(TRAIN, 42);
        RankingRequest req = new RankingRequest("u", List.of(1, 2), List.of(4, 5, 3, 1, 2));
        Ranking expected = m.rank(req);
        List<Thread> threads = new ArrayList<>();
        List<Ranking> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    results.add(m.rank(req));
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(results).hasSize(800).containsOnly(expected);
    }
}
