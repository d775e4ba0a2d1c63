package dev.mllmrec.core.cot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinCotGeneratorTest {

    private final BuiltinCotGenerator generator = new BuiltinCotGenerator(CotFixtures.catalog(),
            CotFixtures.captions());

    @Test
    void writesFourValidStepsWithThreeToFiveCriteria() {
        CotTrace t = generator.generate(new CotRequest("s1", "u1", List.of(8, 4, 6, 9, 7)));
        assertThat(t.valid()).as(t.text()).isTrue();
        assertThat(t.generatorId()).isEqualTo(BuiltinCotGenerator.ID);
        assertThat(t.step(1)).contains("horror");
        assertThat(t.step(2)).contains("Alien (1979)");
        String criteria = t.step(3).replaceFirst("^Retrieval criteria: ", "");
        assertThat(criteria.split(";")).hasSizeBetween(3, 5);
        assertThat(criteria).contains("horror");
        assertThat(t.step(4)).endsWith(".").doesNotContain("\n");
        assertThat(BuiltinCotGenerator.displayTitle("Birdcage, The (1996)")).isEqualTo("The Birdcage (1996)");
        assertThat(BuiltinCotGenerator.displayTitle("Heat (1995)")).isEqualTo("Heat (1995)");
    }

    @Test
    void aCatalogWithoutGenresReasonsOverItsTitlesWords() {
        List<dev.mllmrec.api.Item> items = new java.util.ArrayList<>();
        String[] titles = {"Paris at night", "Cooking pasta at home", "Night walk in Paris", "Paris rooftops",
            "Street food of Tokyo", "Quick pasta dinner", "Tokyo night markets", "Morning yoga"};
        for (int i = 0; i < titles.length; i++) {
            items.add(new dev.mllmrec.api.Item(i + 1, titles[i], List.of(), java.util.Map.of(), null));
        }
        BuiltinCotGenerator textOnly = new BuiltinCotGenerator(dev.mllmrec.api.Catalog.of("videos", items),
                java.util.Map.of());
        CotTrace t = textOnly.generate(new CotRequest("s1", "u1", List.of(1, 3, 4, 2)));
        assertThat(t.valid()).as(t.text()).isTrue();
        assertThat(t.text()).contains("paris").doesNotContain("are .").doesNotContain("toward ,");
        // Titles carry no year: no decade is invented.
        assertThat(t.text()).doesNotContain("0s");
    }

    @Test
    void isDeterministic() {
        CotRequest r = new CotRequest("s1", "u1", List.of(8, 4, 6, 9, 7));
        BuiltinCotGenerator other = new BuiltinCotGenerator(CotFixtures.catalog(), CotFixtures.captions());
        assertThat(generator.generate(r)).isEqualTo(other.generate(r));
        assertThat(generator.generate(r)).isEqualTo(generator.generate(r));
    }

    @Test
    void handlesEmptyAndUnknownHistories() {
        assertThat(generator.generate(new CotRequest("s", "u", List.of())).valid()).isTrue();
        assertThat(generator.generate(new CotRequest("s", "u", List.of(999_999))).valid()).isTrue();
        assertThat(generator.generate(new CotRequest("s", "u", List.of(3))).valid()).isTrue();
    }

    @Test
    void cannotSeeTheTargetByConstruction() {
        // The request type has no target component, and the generator interface takes only the request.
        assertThat(Arrays.stream(CotRequest.class.getRecordComponents()).map(RecordComponent::getName))
                .containsExactly("sampleId", "userId", "history");
        for (Method m : CotGenerator.class.getMethods()) {
            assertThat(m.getParameterTypes()).doesNotContain(RecommendationSample.class);
        }
        // Two samples with the same history and different targets get the same reasoning.
        RecommendationSample a = new RecommendationSample("s", "u", List.of(4, 5, 6), 7, List.of(7, 1));
        RecommendationSample b = new RecommendationSample("s", "u", List.of(4, 5, 6), 1, List.of(7, 1));
        assertThat(generator.generate(CotPipeline.request(a))).isEqualTo(generator.generate(CotPipeline.request(b)));
    }
}
