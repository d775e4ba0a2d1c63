package dev.mllmrec.core.textualize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TitleGuardTest {

    @Test
    void movieLensTitlesMatchWithoutYearArticleOrPunctuation() {
        TitleGuard g = TitleGuard.of("Dark Knight, The (2008)");
        assertThat(g.appearsIn("A poster for The Dark Knight with a bat.")).isTrue();
        assertThat(g.appearsIn("A poster: dark... knight!")).isTrue();
        assertThat(g.appearsIn("A dark poster of a knight.")).isFalse();
        assertThat(g.words()).containsExactlyInAnyOrder("dark", "knight");
    }

    @Test
    void alternativeTitlesInParenthesesAndAccentsAreCovered() {
        TitleGuard g = TitleGuard.of("City of Lost Children, The (Cité des enfants perdus, La) (1995)");
        assertThat(g.appearsIn("the city of lost children")).isTrue();
        assertThat(g.appearsIn("CITE DES ENFANTS PERDUS")).isTrue();
        assertThat(g.appearsIn("a lost child in a city")).isFalse();
    }

    @Test
    void singleWordTitlesMatchTheWordAlone() {
        TitleGuard g = TitleGuard.of("Heat (1995)");
        assertThat(g.appearsIn("Shimmering heat over a road.")).isTrue();
        assertThat(g.appearsIn("A heated argument.")).isFalse();
        assertThat(g.sharesWordWith("heat haze")).isTrue();
    }

    @Test
    void titlesMadeOfStopWordsStillMatch() {
        TitleGuard g = TitleGuard.of("It (1990)");
        assertThat(g.appearsIn("It is a clown.")).isTrue();
        TitleGuard the = TitleGuard.of("The (2020)");
        assertThat(the.appearsIn("the end")).isTrue();
    }

    @Test
    void redactReplacesTheTitleAndKeepsTheRest() {
        TitleGuard g = TitleGuard.of("Toy Story (1995)");
        String out = g.redact("\"Toy Story\" shows two toys; toy-story fans smile.", "the film");
        assertThat(out).isEqualTo("\"the film\" shows two toys; the film fans smile.");
        assertThat(g.appearsIn(out)).isFalse();
        assertThat(g.redact("Toy Story: toys.", "the film")).isEqualTo("The film: toys.");
    }

    @Test
    void blankTitlesAreRejected() {
        assertThatThrownBy(() -> TitleGuard.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
