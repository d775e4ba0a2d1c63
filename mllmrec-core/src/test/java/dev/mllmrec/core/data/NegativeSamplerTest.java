package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NegativeSamplerTest {

    private static Catalog catalog(int n) {
        return Catalog.of("test", IntStream.rangeClosed(1, n).mapToObj(i -> Item.of(i, "Item " + i)).toList());
    }

    private static List<UserHistory> users() {
        List<UserHistory> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int u = 1; u <= 30; u++) {
            List<Integer> seq = new ArrayList<>();
            for (int k = 0; k < 15 + r.nextInt(10); k++) {
                seq.add(1 + r.nextInt(150));
            }
            out.add(new UserHistory(Integer.toString(u), seq));
        }
        return out;
    }

    private static SamplingConfig config(Split split, int negatives, NegativeSampler sampler, long seed) {
        return new SamplingConfig("test", "f", split, 9, negatives, sampler, seed);
    }

    @ParameterizedTest
    @EnumSource(NegativeSampler.class)
    void negativesAreDistinctAndNeverTheTargetOrExcludedItems(NegativeSampler sampler) {
        Catalog catalog = catalog(200);
        List<UserHistory> users = users();
        for (int m : List.of(9, 99)) {
            for (Split split : Split.values()) {
                for (RecommendationSample s : SampleGenerator.generate(catalog, users,
                        config(split, m, sampler, 42))) {
                    UserHistory user = users.get(Integer.parseInt(s.userId()) - 1);
                    List<Integer> negatives = new ArrayList<>(s.candidates());
                    negatives.remove(Integer.valueOf(s.target()));
                    assertThat(s.candidates()).hasSize(m + 1).doesNotHaveDuplicates().contains(s.target());
                    assertThat(negatives).hasSize(m).doesNotContain(s.target())
                            .doesNotContainAnyElementsOf(s.history());
                    if (sampler == NegativeSampler.UNIFORM_USER) {
                        assertThat(negatives).doesNotContainAnyElementsOf(user.items());
                    }
                    assertThat(s.history()).hasSizeBetween(1, 9);
                }
            }
        }
    }

    @Test
    void sameSeedGivesIdenticalSamplesAnotherSeedDifferentOnes() {
        Catalog catalog = catalog(200);
        List<RecommendationSample> a = SampleGenerator.generate(catalog, users(),
                config(Split.TEST, 9, NegativeSampler.UNIFORM_WINDOW, 42));
        List<RecommendationSample> b = SampleGenerator.generate(catalog, users(),
                config(Split.TEST, 9, NegativeSampler.UNIFORM_WINDOW, 42));
        List<RecommendationSample> c = SampleGenerator.generate(catalog, users(),
                config(Split.TEST, 9, NegativeSampler.UNIFORM_WINDOW, 43));
        assertThat(a).isEqualTo(b);
        assertThat(a).extracting(RecommendationSample::candidates)
                .isNotEqualTo(c.stream().map(RecommendationSample::candidates).toList());
        assertThat(a).extracting(RecommendationSample::target)
                .isEqualTo(c.stream().map(RecommendationSample::target).toList());
    }

    @Test
    void samplesDoNotDependOnUserOrder() {
        Catalog catalog = catalog(200);
        List<UserHistory> reversed = new ArrayList<>(users());
        Collections.reverse(reversed);
        SamplingConfig cfg = config(Split.TRAIN, 9, NegativeSampler.UNIFORM_WINDOW, 42);
        Set<RecommendationSample> forward = new HashSet<>(SampleGenerator.generate(catalog, users(), cfg));
        Set<RecommendationSample> backward = new HashSet<>(SampleGenerator.generate(catalog, reversed, cfg));
        assertThat(forward).isEqualTo(backward);
    }

    @Test
    void targetPositionIsSpreadOverTheCandidateList() {
        Catalog catalog = catalog(200);
        int[] positions = new int[10];
        for (RecommendationSample s : SampleGenerator.generate(catalog, users(),
                config(Split.TRAIN, 9, NegativeSampler.UNIFORM_WINDOW, 42))) {
            positions[s.candidates().indexOf(s.target())]++;
        }
        // ~500 windows over 10 slots: every slot is used, none dominates
        assertThat(IntStream.of(positions).boxed().toList()).allMatch(p -> p > 20 && p < 100);
    }

    @Test
    void drawUsesTheDensePathWhenFewItemsAreAllowed() {
        int[] pool = IntStream.rangeClosed(1, 12).toArray();
        Set<Integer> excluded = Set.of(1, 2);
        List<Integer> drawn = NegativeSampler.draw(pool, excluded, 10, new SplittableRandom(1));
        assertThat(drawn).hasSize(10).doesNotHaveDuplicates().containsExactlyInAnyOrder(3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(NegativeSampler.draw(pool, excluded, 10, new SplittableRandom(1))).isEqualTo(drawn);
        assertThatThrownBy(() -> NegativeSampler.draw(pool, excluded, 11, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only 10 items outside the excluded ones");
    }

    @Test
    void parsesStrategyNames() {
        assertThat(NegativeSampler.parse("uniform-user")).isEqualTo(NegativeSampler.UNIFORM_USER);
        assertThat(NegativeSampler.parse("UNIFORM_WINDOW")).isEqualTo(NegativeSampler.UNIFORM_WINDOW);
        assertThatThrownBy(() -> NegativeSampler.parse("popular"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'popular'");
    }
}
