package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.lm.sft.SftConfig;
import dev.mllmrec.grpo.pipeline.GrpoStage;
import dev.mllmrec.grpo.train.GrpoConfig;
import dev.mllmrec.recipe.Recipe;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The pipeline trains with the library's recipe: its train-sft and train-grpo command lines come from
 * {@link Recipe} and parse back to exactly the recipe's options; the command lines the pipeline ran before the
 * recipe existed (the README's table) parse to the same options, so the table is unchanged.
 */
class PipelineRecipeTest {

    private static final String W = "/tmp/w";

    private static TrainSftCommand sft(String... args) {
        TrainSftCommand c = new TrainSftCommand();
        new CommandLine(c).parseArgs(java.util.Arrays.copyOfRange(args, 1, args.length));
        return c;
    }

    private static TrainGrpoCommand grpo(String... args) {
        TrainGrpoCommand c = new TrainGrpoCommand();
        new CommandLine(c).parseArgs(java.util.Arrays.copyOfRange(args, 1, args.length));
        return c;
    }

    @Test
    void pipelineCommandLinesAreTheRecipe() {
        for (boolean quick : List.of(false, true)) {
            for (String content : List.of("text", "captions", "none")) {
                Recipe r = PipelineCommand.recipe(quick, 7, content);
                assertThat(sft(RecipeArgs.trainSft(r, W)).options()).isEqualTo(r.sft());
                assertThat(grpo(RecipeArgs.trainGrpo(r, W)).options()).isEqualTo(r.grpo());
            }
        }
    }

    @Test
    void recipeIsWhatThePipelineRanBefore() {
        // The pipeline's command lines written out (README's table, seed 42): text content with the facets.
        Recipe full = PipelineCommand.recipe(false, 42, "text");
        assertThat(sft("train-sft", "--work-dir", W, "--seed", "42", "--item-content", "text", "--content-encoder",
                "minilm+facets").options()).isEqualTo(full.sft()).isEqualTo(Recipe.recommended().sft());
        assertThat(grpo("train-grpo", "--work-dir", W, "--seed", "42").options()).isEqualTo(full.grpo())
                .isEqualTo(Recipe.recommended().grpo()).isEqualTo(GrpoStage.Options.defaults());
        Recipe quick = PipelineCommand.recipe(true, 42, "text");
        assertThat(sft("train-sft", "--work-dir", W, "--seed", "42", "--sequence-epochs", "15", "--epochs", "1",
                "--max-train", "3000", "--item-content", "text", "--content-encoder", "tfidf+facets").options())
                .isEqualTo(quick.sft()).isEqualTo(Recipe.quick().sft());
        assertThat(grpo("train-grpo", "--work-dir", W, "--seed", "42", "--steps", "8").options())
                .isEqualTo(quick.grpo());
        assertThat(Recipe.quick().reasoning().encoder()).isEqualTo("tfidf");
        assertThat(Recipe.recommended().reasoning()).isEqualTo(new Recipe.Reasoning(true, "minilm", 0.5, 0.1, 0.05));
        List<String[]> offline = RecipeArgs.reasoning(full, W);
        assertThat(offline.get(0)).containsExactly("assess", "--work-dir", W, "--encoder", "minilm",
                "--keep-fraction", "0.5");
    }

    @Test
    void theEncoderAndTheFacetsAreSetApart() {
        Recipe r = Recipe.recommended();
        assertThat(r.itemFacets()).isTrue();
        assertThat(r.sft().contentEncoder()).isEqualTo("minilm+facets");
        Recipe tfidf = r.withEncoder("tfidf");
        assertThat(tfidf.sft().contentEncoder()).isEqualTo("tfidf+facets");
        assertThat(tfidf.reasoning().encoder()).isEqualTo("tfidf"); // assess takes a sentence encoder only
        Recipe plain = tfidf.withItemFacets(false);
        assertThat(plain.itemFacets()).isFalse();
        assertThat(plain.sft().contentEncoder()).isEqualTo("tfidf");
        assertThat(plain.withEncoder("minilm").sft().contentEncoder()).isEqualTo("minilm");
        assertThat(plain.withItemFacets(true).withItemFacets(true).sft().contentEncoder()).isEqualTo("tfidf+facets");
        assertThat(r.withEncoder("minilm+facets").reasoning().encoder()).isEqualTo("minilm");
    }

    @Test
    void configFactoriesMatchTheRecipe() {
        GrpoConfig g = Recipe.recommended().grpo().config();
        assertThat(GrpoConfig.recommended()).isEqualTo(g);
        assertThat(g.rankedList()).isEqualTo(3);
        assertThat(g.constrainToCandidates()).isTrue();
        assertThat(g.maxSteps()).isEqualTo(600);
        SftConfig s = SftConfig.recommended();
        assertThat(s.epochs()).isEqualTo(Recipe.recommended().sft().epochs());
        assertThat(s.batchSize()).isEqualTo(Recipe.recommended().sft().batchSize());
        assertThat(s.learningRate()).isEqualTo(Recipe.recommended().sft().learningRate());
        assertThat(s.dropout()).isEqualTo(Recipe.recommended().sft().dropout());
        assertThat(s.beta2()).isEqualTo(0.98);
        assertThat(s.maxGradNorm()).isZero();
        assertThat(s.weightDecay()).isZero();
        assertThat(s.warmupFraction()).isZero();
    }
}
