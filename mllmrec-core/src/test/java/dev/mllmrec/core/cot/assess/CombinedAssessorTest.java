package dev.mllmrec.core.cot.assess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.ConfidenceAssessor;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.CotFixtures;
import dev.mllmrec.core.cot.CotParser;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.embed.TfIdfEncoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CombinedAssessorTest {

    private final Catalog catalog = CotFixtures.catalog();
    private final RetrievalAgreementAssessor retrieval = new RetrievalAgreementAssessor(catalog, Map.of(),
            TfIdfEncoder.fit(catalog.items().stream().map(i -> ItemAttributes.candidateText(i, null)).toList()),
            RetrievalAgreementAssessor.Query.CRITERIA);
    private final RecommendationSample sample = new RecommendationSample("s", "u", List.of(12), 8,
            List.of(4, 3, 8, 7, 11));

    private static CotTrace cot(String id, String criteria) {
        return CotParser.parse(id, "g", "Step 1: Romance leads.\nStep 2: More romance.\nStep 3: " + criteria
                + "\nStep 4: A romance title.");
    }

    private List<Assessment> run(CombinedAssessor a, List<CotTrace> traces) {
        return a.assessAll(traces, traces.stream().map(t -> new RecommendationSample(t.sampleId(), "u",
                sample.history(), sample.target(), sample.candidates())).toList());
    }

    @Test
    void recordsAReasonForEveryDecision() {
        CombinedAssessor a = CombinedAssessor.builder().addVeto(new LeakageAssessor(catalog))
                .addScorer(retrieval, 1.0).optThreshold(0.7).build();
        List<Assessment> out = run(a, List.of(
                cot("a", "romance; comedy; 1990s."),
                cot("b", "horror; crime; thriller."),
                cot("c", "romance; [ITEM_8]."),
                cot("d", "romance; Notting Hill."),
                CotParser.parse("e", "g", "romance comedy, no steps at all")));
        assertThat(out).extracting(Assessment::reason).containsExactly(CombinedAssessor.KEPT,
                CombinedAssessor.BELOW_THRESHOLD, LeakageAssessor.LEAK_ID, LeakageAssessor.LEAK_TITLE,
                CombinedAssessor.INVALID_FORMAT);
        assertThat(out).extracting(Assessment::kept).containsExactly(true, false, false, false, false);
        // Vetoed traces keep their retrieval diagnostics.
        assertThat(out.get(2).scores()).containsKeys("leakage", "retrieval", "retrieval.rank");
    }

    @Test
    void reasoningWithAnEmptyStepOrEnumerationIsRejected() {
        String empty = "Step 1: No attribute stands out against the catalog; the most frequent are .\n"
                + "Step 2: The most recent items set the current direction.\n"
                + "Step 3: Retrieval criteria: broad audience appeal; well-known title; similar tone.\n"
                + "Step 4: The predicted next item is a title.";
        String blankStep = empty.replace("the most frequent are .", "").replace("Step 1: No attribute stands out "
                + "against the catalog; ", "Step 1: ");
        String fine = empty.replace("the most frequent are .", "the most frequent are drama and comedy.");
        assertThat(CombinedAssessor.empty(dev.mllmrec.core.cot.CotParser.parse("a", "g", empty))).isTrue();
        assertThat(CombinedAssessor.empty(dev.mllmrec.core.cot.CotParser.parse("b", "g", blankStep))).isTrue();
        assertThat(CombinedAssessor.empty(dev.mllmrec.core.cot.CotParser.parse("c", "g", fine))).isFalse();
    }

    @Test
    void keepFractionKeepsTheBestEligibleTraces() {
        CombinedAssessor a = CombinedAssessor.builder().addVeto(new LeakageAssessor(catalog))
                .addScorer(retrieval, 1.0).optKeepFraction(0.5).build();
        List<Assessment> out = run(a, List.of(cot("a", "romance; comedy."), cot("b", "horror."),
                cot("c", "comedy."), cot("d", "crime; thriller."), cot("e", "[ITEM_8]")));
        assertThat(out.stream().filter(Assessment::kept).map(Assessment::sampleId)).containsExactly("a", "c");
        assertThat(out.get(4).reason()).isEqualTo(LeakageAssessor.LEAK_ID);
    }

    @Test
    void extraScorersPlugInWithWeights() {
        ConfidenceAssessor policy = new ConfidenceAssessor() {
            @Override
            public String name() {
                return "policy";
            }

            @Override
            public Assessment assess(CotTrace trace, RecommendationSample s) {
                return new Assessment(trace.sampleId(), true, 0.0, "scored", Map.of("policy", 0.0));
            }
        };
        CombinedAssessor a = CombinedAssessor.builder().addScorer(retrieval, 1.0).addScorer(policy, 1.0).build();
        Assessment one = a.assess(cot("a", "romance; comedy."), sample);
        assertThat(one.score()).isEqualTo(one.scores().get("retrieval") / 2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(one.scores()).containsKeys("policy", "retrieval");
        assertThatThrownBy(() -> CombinedAssessor.builder().optThreshold(0.5).optKeepFraction(0.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    }
}
