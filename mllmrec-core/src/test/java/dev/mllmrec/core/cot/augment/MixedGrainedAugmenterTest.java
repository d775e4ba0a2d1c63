package dev.mllmrec.core.cot.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.cot.CotParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MixedGrainedAugmenterTest {

    private static List<RecommendationSample> samples(int n) {
        List<RecommendationSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new RecommendationSample("u" + i + "-train-" + (i % 7), "u" + i, List.of(1, 2), 3,
                    List.of(3, 4)));
        }
        return out;
    }

    /** Keeps a trace for about {@code keptShare} of the samples, chosen by a fixed random stream. */
    private static Map<String, CotTrace> kept(List<RecommendationSample> samples, double keptShare) {
        Random r = new Random(7);
        Map<String, CotTrace> out = new HashMap<>();
        for (RecommendationSample s : samples) {
            if (r.nextDouble() < keptShare) {
                out.put(s.sampleId(), CotParser.parse(s.sampleId(), "g",
                        "Step 1: a.\nStep 2: b.\nStep 3: horror; dark.\nStep 4: d."));
            }
        }
        return out;
    }

    @Test
    void quotaHitsTheRequestedFractionsOfAllSamples() {
        List<RecommendationSample> samples = samples(10_000);
        Map<String, CotTrace> kept = kept(samples, 0.6);
        for (double[] p : new double[][] {{0.1, 0.0}, {0.05, 0.05}, {0.1, 0.2}, {0.013, 0.0}}) {
            MixedGrainedAugmenter.Mix mix = new MixedGrainedAugmenter(p[0], p[1], 42,
                    MixedGrainedAugmenter.Strategy.QUOTA).augment(samples, kept).mix();
            assertThat(mix.realisedCot()).isCloseTo(p[0], org.assertj.core.data.Offset.offset(0.01));
            assertThat(mix.realisedCriteria()).isCloseTo(p[1], org.assertj.core.data.Offset.offset(0.01));
            assertThat(mix.realisedInjected()).isCloseTo(p[0] + p[1], org.assertj.core.data.Offset.offset(0.01));
            assertThat(mix.shortfall()).isFalse();
            assertThat(mix.plain() + mix.criteria() + mix.full()).isEqualTo(10_000);
        }
    }

    @Test
    void bernoulliHitsTheRequestedFractionInExpectation() {
        List<RecommendationSample> samples = samples(10_000);
        Map<String, CotTrace> kept = kept(samples, 0.5);
        MixedGrainedAugmenter.Mix mix = new MixedGrainedAugmenter(0.1, 0.05, 3,
                MixedGrainedAugmenter.Strategy.BERNOULLI).augment(samples, kept).mix();
        assertThat(mix.realisedCot()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.01));
        assertThat(mix.realisedCriteria()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void onlyKeptTracesAreInjectedAndShortfallIsReported() {
        List<RecommendationSample> samples = samples(1000);
        Map<String, CotTrace> kept = kept(samples, 0.05);
        MixedGrainedAugmenter.Result r = new MixedGrainedAugmenter(0.1, 0.0, 1,
                MixedGrainedAugmenter.Strategy.QUOTA).augment(samples, kept);
        assertThat(r.mix().shortfall()).isTrue();
        assertThat(r.mix().full()).isEqualTo(r.mix().eligible());
        for (AugmentedSample a : r.samples()) {
            if (a.granularity() != Granularity.PLAIN) {
                assertThat(kept).containsKey(a.sampleId());
            }
        }
    }

    @Test
    void reasoningTextPerGranularity() {
        List<RecommendationSample> samples = samples(100);
        Map<String, CotTrace> kept = kept(samples, 1.0);
        MixedGrainedAugmenter.Result r = new MixedGrainedAugmenter(0.3, 0.3, 5,
                MixedGrainedAugmenter.Strategy.QUOTA).augment(samples, kept);
        for (AugmentedSample a : r.samples()) {
            switch (a.granularity()) {
                case PLAIN -> assertThat(a.reasoning()).isEmpty();
                case CRITERIA -> assertThat(a.reasoning()).isEqualTo("Step 3: horror; dark.");
                case FULL -> assertThat(a.reasoning()).isEqualTo(
                        "Step 1: a.\nStep 2: b.\nStep 3: horror; dark.\nStep 4: d.");
                default -> throw new AssertionError();
            }
        }
        assertThat(r.mix().full()).isEqualTo(30);
        assertThat(r.mix().criteria()).isEqualTo(30);
    }

    @Test
    void sameSeedGivesIdenticalOutputWhateverTheInputOrder() {
        List<RecommendationSample> samples = samples(10_000);
        Map<String, CotTrace> kept = kept(samples, 0.5);
        MixedGrainedAugmenter aug = new MixedGrainedAugmenter(0.1, 0.05, 42, MixedGrainedAugmenter.Strategy.QUOTA);
        String a = Json.line(aug.augment(samples, kept));
        String b = Json.line(new MixedGrainedAugmenter(0.1, 0.05, 42, MixedGrainedAugmenter.Strategy.QUOTA)
                .augment(samples, kept));
        assertThat(a).isEqualTo(b);
        List<RecommendationSample> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(1));
        Map<String, Granularity> first = new HashMap<>();
        aug.augment(samples, kept).samples().forEach(s -> first.put(s.sampleId(), s.granularity()));
        aug.augment(shuffled, kept).samples().forEach(s -> assertThat(s.granularity())
                .isEqualTo(first.get(s.sampleId())));
        String other = Json.line(new MixedGrainedAugmenter(0.1, 0.05, 43, MixedGrainedAugmenter.Strategy.QUOTA)
                .augment(samples, kept));
        assertThat(other).isNotEqualTo(a);
    }
}
