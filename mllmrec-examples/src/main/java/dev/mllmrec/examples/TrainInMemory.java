package dev.mllmrec.examples;

import dev.mllmrec.recipe.MllmRec;
import dev.mllmrec.recipe.Recipe;
import java.nio.file.Path;

/**
 * Trains the policy on data held in memory with the recipe behind the README's numbers, as {@code pipeline} does.
 * Usage: {@code TrainInMemory WORK_DIR [--tiny]} ({@code --tiny}: a recipe of seconds for toy data).
 */
public final class TrainInMemory {

    private TrainInMemory() {
    }

    /** Runs the example. */
    public static void main(String[] args) {
        Path workDir = Path.of(args.length > 0 ? args[0] : "work");
        Recipe recipe = args.length > 1 && args[1].equals("--tiny") ? Recipe.tiny() : Recipe.recommended();
        MllmRec.Result result = MllmRec.builder()
                .setCatalog(ToyData.catalog())          // your items
                .setHistories(ToyData.histories())      // your users' histories, oldest first
                .setWorkDir(workDir)                    // checkpoints and summaries; a rerun resumes
                .optRecipe(recipe)
                .addGrpoListener(new dev.mllmrec.grpo.train.GrpoListener() {
                    @Override
                    public void onStep(Step step) {     // progress and metrics come through listeners
                        System.out.println("GRPO step " + step.step() + " reward " + step.rewardMean());
                    }
                })
                .build()
                .train();
        System.out.println("SFT validation " + result.sft().get("validation"));
        System.out.println("GRPO best validation " + result.grpo().get("best_validation"));
    }
}
