package dev.mllmrec.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.RecommendationSample;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SftStageTest {

    static final int[] POOL = IntStream.rangeClosed(1, 300).toArray();

    @Test
    void theOptionsBuilderStartsFromTheDefaultsOrFromGivenOptionsAndChangesOnlyWhatItIsTold() {
        SftStage.Options d = SftStage.Options.defaults();
        assertThat(SftStage.Options.builder().build()).isEqualTo(d);
        SftStage.Options o = d.toBuilder().optPreset("tiny").optEpochs(2).optBatchSize(16).optLearningRate(3e-4)
                .optSeed(7).optMaxTrainSamples(60).optValidationSamples(8).optNegatives(19)
                .optStyle(dev.mllmrec.core.prompt.PromptBuilder.Style.REFERENCE).optSequenceEpochs(4).optDropout(0.1)
                .optGrpoHoldout(0).optKeepBestSequenceEpoch(true)
                .optContent(dev.mllmrec.core.content.ItemContentSource.TEXT).optContentEncoder("tfidf").build();
        assertThat(o).isEqualTo(new SftStage.Options("tiny", 2, 16, 3e-4, 7L, 60, 8, 19,
                dev.mllmrec.core.prompt.PromptBuilder.Style.REFERENCE, 4, 0.1, 0, true,
                dev.mllmrec.core.content.ItemContentSource.TEXT, "tfidf"));
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.withSequenceEpochs(9)).isEqualTo(o.toBuilder().optSequenceEpochs(9).build());
        assertThat(o.withSequenceEpochs(9).sequenceEpochs()).isEqualTo(9);
        assertThat(o.withSequenceEpochs(9).epochs()).isEqualTo(2);
        assertThat(o.withContentEncoder("minilm").contentEncoder()).isEqualTo("minilm");
        assertThat(o.withContent(dev.mllmrec.core.content.ItemContentSource.NONE).content())
                .isEqualTo(dev.mllmrec.core.content.ItemContentSource.NONE);
    }

    @Test
    void aWidenedPromptKeepsEveryCandidateAndAddsOnlyAllowedDistinctNegatives() {
        RecommendationSample s = new RecommendationSample("u1-train-9", "1", List.of(5, 6, 7), 42,
                List.of(42, 11, 12, 13, 14, 15, 16, 17, 18, 19));
        List<Integer> wide = SftStage.widen(s, POOL, 100, new SplittableRandom(3));
        assertThat(wide).hasSize(100).doesNotHaveDuplicates().containsAll(s.candidates())
                .doesNotContain(5, 6, 7).allMatch(id -> id >= 1 && id <= 300);
        // The order is shuffled: the target does not stay in front for every seed.
        java.util.Set<Integer> targetPositions = new HashSet<>();
        for (int seed = 0; seed < 20; seed++) {
            targetPositions.add(SftStage.widen(s, POOL, 100, new SplittableRandom(seed)).indexOf(42));
        }
        assertThat(targetPositions.size()).isGreaterThan(10);
        // The same seed gives the same list.
        assertThat(SftStage.widen(s, POOL, 100, new SplittableRandom(3))).isEqualTo(wide);
    }

    @Test
    void aSmallCatalogWidensAsFarAsItCan() {
        RecommendationSample s = new RecommendationSample("u1-train-2", "1", List.of(1), 2, List.of(2, 3));
        assertThat(SftStage.widen(s, new int[] {1, 2, 3, 4, 5}, 100, new SplittableRandom(1)))
                .containsExactlyInAnyOrder(2, 3, 4, 5);
    }
}
