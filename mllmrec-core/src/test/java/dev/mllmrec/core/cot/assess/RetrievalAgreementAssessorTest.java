package dev.mllmrec.core.cot.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.CotFixtures;
import dev.mllmrec.core.cot.CotParser;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.embed.TfIdfEncoder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalAgreementAssessorTest {

    private final Catalog catalog = CotFixtures.catalog();
    private final Map<Integer, String> captions = CotFixtures.captions();
    private final RetrievalAgreementAssessor retrieval = new RetrievalAgreementAssessor(catalog, captions,
            TfIdfEncoder.fit(catalog.items().stream().map(i -> ItemAttributes.candidateText(i, captions.get(i.id())))
                    .toList()), RetrievalAgreementAssessor.Query.CRITERIA);

    private static CotTrace cot(String criteria) {
        return CotParser.parse("s", "g", "Step 1: x.\nStep 2: y.\nStep 3: Retrieval criteria: " + criteria
                + "\nStep 4: z.");
    }

    @Test
    void criteriaMatchingTheTargetsGenresRankItFirst() {
        // Target: Notting Hill (comedy, romance); other candidates are horror, crime, sci-fi.
        RecommendationSample s = new RecommendationSample("s", "u", List.of(12), 8, List.of(4, 3, 8, 7, 11));
        Assessment match = retrieval.assess(cot("romance; comedy; released in the 1990s; bright, pink poster tones."),
                s);
        assertThat(match.scores().get("retrieval.rank")).isEqualTo(1.0);
        assertThat(match.scores().get("retrieval.margin")).isPositive();
        assertThat(match.score()).isGreaterThan(0.8).isLessThan(1.0);
        Assessment miss = retrieval.assess(cot("horror; eerie mood; dark, black poster tones."), s);
        assertThat(miss.scores().get("retrieval.rank")).isGreaterThan(1.0);
        assertThat(miss.score()).isLessThan(match.score());
    }

    @Test
    void scoreIsOrderedByRankThenMargin() {
        RecommendationSample s = new RecommendationSample("s", "u", List.of(12), 8, List.of(4, 3, 8, 7, 11));
        List<Assessment> all = retrieval.assessAll(List.of(cot("romance; comedy."), cot("comedy."),
                cot("thriller; crime; action."), cot("nothing relevant whatsoever.")), List.of(s, s, s, s));
        for (Assessment a : all) {
            double n = 5;
            double rank = a.scores().get("retrieval.rank") - 1;
            assertThat(a.score()).isBetween((n - 1 - rank) / n, (n - rank) / n);
        }
        assertThat(all.get(0).score()).isGreaterThan(all.get(2).score());
        // A query sharing no word with any candidate ties everything: the middle band, margin 0.
        assertThat(all.get(3).scores().get("retrieval.margin")).isEqualTo(0.0);
        assertThat(all.get(3).score()).isEqualTo(0.5);
    }

    @Test
    void invalidTracesUseTheWholeText() {
        CotTrace invalid = CotParser.parse("s", "g", "The user loves romance and comedy.");
        assertThat(retrieval.queryText(invalid)).isEqualTo("The user loves romance and comedy.");
        RecommendationSample s = new RecommendationSample("s", "u", List.of(12), 8, List.of(4, 3, 8));
        assertThat(retrieval.assess(invalid, s).scores().get("retrieval.rank")).isEqualTo(1.0);
        Item notting = catalog.get(8);
        assertThat(retrieval.candidateText(8)).isEqualTo(ItemAttributes.candidateText(notting, captions.get(8)))
                .startsWith("Notting Hill. Genres: comedy, romance. Released in the 1990s. A bright");
    }
}
