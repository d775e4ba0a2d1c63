package dev.mllmrec.core.cot.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.CotFixtures;
import dev.mllmrec.core.cot.CotParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakageAssessorTest {

    private final LeakageAssessor leakage = new LeakageAssessor(CotFixtures.catalog());

    private static RecommendationSample sample(int target, List<Integer> history, List<Integer> candidates) {
        return new RecommendationSample("s", "u", history, target, candidates);
    }

    private Assessment assess(String text, RecommendationSample s) {
        return leakage.assess(CotParser.parse("s", "g", text), s);
    }

    private static String cot(String step3) {
        return "Step 1: The user watches horror.\nStep 2: More horror next.\nStep 3: " + step3
                + "\nStep 4: A horror film.";
    }

    @Test
    void rejectsTheTargetsIdInEveryForm() {
        RecommendationSample s = sample(300, List.of(4, 6), List.of(300, 5, 1));
        for (String planted : List.of("[ITEM_300]", "ITEM_300", "item_300", "Item 300", "item #300", "id=300",
                "ID: 300", "#300", "the answer is 300.", "[ITEM_0300]")) {
            Assessment a = assess(cot("dark; " + planted + "; eerie."), s);
            assertThat(a.kept()).as(planted).isFalse();
            assertThat(a.reason()).as(planted).isEqualTo(LeakageAssessor.LEAK_ID);
        }
    }

    @Test
    void bareNumbersThatAreNotIdsPass() {
        RecommendationSample s = sample(1995, List.of(4, 6), List.of(1995, 5, 1));
        // A four-digit number in the year range is read as a year; step labels and small counts never match.
        assertThat(assess(cot("released in 1995; 1990s releases; 3 of 9 items."), s).kept()).isTrue();
        assertThat(assess(cot("see [ITEM_1995]."), s).reason()).isEqualTo(LeakageAssessor.LEAK_ID);
        RecommendationSample small = sample(3, List.of(4, 6), List.of(3, 5, 1));
        assertThat(assess(cot("dark; 3 of 5 items are horror."), small).kept()).isTrue();
        assertThat(assess(cot("[ITEM_3]"), small).reason()).isEqualTo(LeakageAssessor.LEAK_ID);
        RecommendationSample other = sample(300, List.of(4, 6), List.of(300, 5, 1));
        assertThat(assess(cot("ITEM_3000 and 3001; 30.0% and 300.5"), other).kept()).isTrue();
    }

    @Test
    void rejectsTheTargetsTitleWithAnyCasePunctuationYearOrArticle() {
        RecommendationSample shining = sample(4, List.of(5, 6), List.of(4, 7, 1));
        for (String planted : List.of("The Shining", "the shining", "THE SHINING (1980)", "Shining, The",
                "shining, the (1980)", "The-Shining!", "“The Shining”", "The Shining 1980")) {
            Assessment a = assess(cot("dark; " + planted + "; eerie."), shining);
            assertThat(a.reason()).as(planted).isEqualTo(LeakageAssessor.LEAK_TITLE);
        }
        RecommendationSample toy = sample(1, List.of(5, 6), List.of(1, 7, 4));
        for (String planted : List.of("Toy Story", "toy story", "TOY-STORY", "Toy Story (1995)", "toy story 1995")) {
            assertThat(assess(cot("family; " + planted + "."), toy).reason()).as(planted)
                    .isEqualTo(LeakageAssessor.LEAK_TITLE);
        }
        RecommendationSample city = sample(11, List.of(5, 6), List.of(11, 7, 4));
        for (String planted : List.of("The City of Lost Children", "city of lost children",
                "La Cité des enfants perdus", "cite des enfants perdus")) {
            assertThat(assess(cot("fantasy; " + planted + "."), city).reason()).as(planted)
                    .isEqualTo(LeakageAssessor.LEAK_TITLE);
        }
        RecommendationSample seven = sample(300, List.of(5, 6), List.of(300, 7, 4));
        assertThat(assess(cot("mystery; Se7en."), seven).reason()).isEqualTo(LeakageAssessor.LEAK_TITLE);
        RecommendationSample harry = sample(12, List.of(5, 6), List.of(12, 7, 4));
        assertThat(assess(cot("romance like when harry met sally"), harry).reason())
                .isEqualTo(LeakageAssessor.LEAK_TITLE);
    }

    @Test
    void shortAndCommonTitlesNeedNameLikeUse() {
        RecommendationSample heat = sample(3, List.of(5, 6), List.of(3, 7, 4));
        assertThat(assess(cot("rising heat and tension; crime."), heat).kept()).isTrue();
        assertThat(assess(cot("Heat and tension; crime."), heat).kept()).isTrue();
        assertThat(assess(cot("a film like Heat next."), heat).reason()).isEqualTo(LeakageAssessor.LEAK_TITLE);
        assertThat(assess(cot("crime; \"Heat\"."), heat).reason()).isEqualTo(LeakageAssessor.LEAK_TITLE);
        assertThat(assess(cot("crime; heat (1995)."), heat).reason()).isEqualTo(LeakageAssessor.LEAK_TITLE);
        // Distinctive single words match in any case; hyphenated titles also without the hyphen.
        RecommendationSample halloween = sample(5, List.of(4, 6), List.of(5, 7, 1));
        assertThat(assess(cot("something like halloween; horror."), halloween).reason())
                .isEqualTo(LeakageAssessor.LEAK_TITLE);
        assertThat(assess(cot("the alien creature design."), sample(7, List.of(4), List.of(7, 1))).reason())
                .isEqualTo(LeakageAssessor.LEAK_TITLE);
        assertThat(TitleMatcher.of("X-Men (2000)").find("Something like XMen 2000 next.")).isNotNull();
        assertThat(TitleMatcher.of("X-Men (2000)").find("a men's drama")).isNull();
        RecommendationSample up = sample(1995, List.of(5, 6), List.of(1995, 7, 4));
        assertThat(assess(cot("picks up the pace; ups and downs."), up).kept()).isTrue();
        assertThat(assess(cot("an animated film such as Up."), up).reason()).isEqualTo(LeakageAssessor.LEAK_TITLE);
    }

    @Test
    void namingAnotherCandidateOrALongerHistoryTitleIsNotALeak() {
        RecommendationSample s = sample(5, List.of(4, 6), List.of(5, 7, 1));
        Assessment a = assess(cot("sci-fi horror like Alien (1979), [ITEM_7]; The Shining."), s);
        assertThat(a.kept()).isTrue();
        assertThat(a.reason()).isEqualTo(LeakageAssessor.CLEAN);
        RecommendationSample toy = sample(1, List.of(2, 6), List.of(1, 7, 4));
        assertThat(assess(cot("family fun after Toy Story 2."), toy).kept()).isTrue();
        assertThat(assess(cot("family fun after Toy Story 2, or Toy Story itself."), toy).kept()).isFalse();
        RecommendationSample psycho = sample(10, List.of(9, 6), List.of(10, 7, 4));
        assertThat(assess(cot("after Psycho (1960), more slashers."), psycho).kept()).isTrue();
        assertThat(assess(cot("the Psycho (1998) remake."), psycho).kept()).isFalse();
    }

    @Test
    void titleVariants() {
        assertThat(TitleMatcher.of("Shining, The (1980)").variants()).containsExactly("the shining", "shining", "shining the");
        assertThat(TitleMatcher.of("Seven (a.k.a. Se7en) (1995)").variants()).containsExactly("seven", "se7en");
        assertThat(TitleMatcher.of("City of Lost Children, The (Cité des enfants perdus, La) (1995)").variants())
                .containsExactly("the city of lost children", "city of lost children", "city of lost children the",
                        "la cite des enfants perdus", "cite des enfants perdus", "cite des enfants perdus la");
    }
}
