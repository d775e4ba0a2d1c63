package dev.mllmrec.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {

    private static final Catalog CATALOG = Catalog.of("movielens", List.of(Item.of(1, "Toy Story (1995)"),
            Item.of(2, "Jumanji (1995)"), Item.of(3, "Heat, The (1995)"), Item.of(4, "Amélie (2001)")));

    private static final RecommendationSample SAMPLE = new RecommendationSample("u1-test", "1", List.of(1, 2), 4,
            List.of(3, 4));

    @Test
    void anAnswerCarriesAtMostTwelveTitleWordsAndStillParsesExactly() {
        String longTitle = "A very long video title that goes on and on about cooking pasta at home with friends";
        Catalog catalog = Catalog.of("videos", List.of(Item.of(7, longTitle), Item.of(8, "Short one")));
        PromptBuilder pb = PromptBuilder.of(catalog);
        String answer = pb.answer(7);
        assertThat(answer).isEqualTo("[ITEM_7] A very long video title that goes on and on about cooking");
        assertThat(AnswerParser.strict().parse(answer)).map(AnswerParser.Answer::itemId).contains(7);
        assertThat(pb.answer(8)).isEqualTo("[ITEM_8] Short one");
    }

    @Test
    void reproducesTheReferencePromptWordForWord() {
        String expected = "You are a movie recommendation assistant.\n"
                + "Here are the user's most recently watched movies sequence:\n"
                + "1. [ITEM_1] Toy Story (1995)\n"
                + "2. [ITEM_2] Jumanji (1995)\n"
                + "\n"
                + "Candidate movies:\n"
                + "[ITEM_3] Heat, The (1995)\n"
                + "[ITEM_4] Amélie (2001)\n"
                + "\n"
                + "\n"
                + "Now answer the following question.\n"
                + "Only output in format [ITEM_xxxx] Movie Title.\n"
                + "No additional caption, summary, comments, or explanation.";
        assertThat(PromptBuilder.of(CATALOG).prompt(SAMPLE)).isEqualTo(expected);
        assertThat(PromptBuilder.of(CATALOG).prompt(SAMPLE.request())).isEqualTo(expected);
    }

    @Test
    void reasoningBlockGoesBeforeTheAnswerInstruction() {
        String prompt = PromptBuilder.of(CATALOG).prompt(SAMPLE, "Step 1: likes 90s films.");
        assertThat(prompt).contains("[ITEM_4] Amélie (2001)\n\n"
                + "Possible reasoning process to help predict the next item, for reference ONLY.\n"
                + "<think>\nStep 1: likes 90s films.\n</think>\n\n"
                + "Now answer the following question.");
        assertThat(PromptBuilder.of(CATALOG).prompt(SAMPLE, "  ")).isEqualTo(PromptBuilder.of(CATALOG).prompt(SAMPLE));
    }

    @Test
    void captionsAreAppendedToItemLinesButNotToTheAnswer() {
        Map<Integer, String> captions = Map.of(1, "A cowboy doll and a space ranger.", 3, " ");
        PromptBuilder b = PromptBuilder.builder().setCatalog(CATALOG).optCaptions(captions::get).build();
        String prompt = b.prompt(SAMPLE);
        assertThat(prompt).contains("1. [ITEM_1] Toy Story (1995) — A cowboy doll and a space ranger.\n");
        assertThat(prompt).contains("\n[ITEM_3] Heat, The (1995)\n");
        assertThat(b.answer(SAMPLE)).isEqualTo("[ITEM_4] Amélie (2001)");
    }

    @Test
    void grpoGuidelinesAreAppendedVerbatim() {
        PromptBuilder b = PromptBuilder.builder().setCatalog(CATALOG).optGrpoGuidelines(true).build();
        assertThat(b.prompt(SAMPLE)).endsWith("explanation.\n\n[OUTPUT GUIDELINES]\n"
                + "You MUST answer with only one movie from candidate movies.\n"
                + "The output token MUST be in the form:\n[ITEM_xxxx] Movie Title\n\n"
                + "If you want to provide reasoning, you may append it ONLY after answer\n"
                + "in a single line using:\n<think> your reasoning here </think>\n\n");
    }

    @Test
    void unknownIdsUseTheReferenceFallbackTitle() {
        assertThat(PromptBuilder.of(CATALOG).itemLine(99)).isEqualTo("[ITEM_99] Unknown Title");
        assertThatThrownBy(() -> PromptBuilder.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("title source");
    }

    @Test
    void answerOfASampleParsesBackStrictly() {
        String answer = PromptBuilder.of(CATALOG).answer(SAMPLE);
        assertThat(AnswerParser.strict().parse(answer)).contains(new AnswerParser.Answer(4, "Amélie (2001)"));
    }
}
