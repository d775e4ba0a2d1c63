package dev.mllmrec.examples.cli;

import dev.mllmrec.core.pipeline.SftStage;
import dev.mllmrec.grpo.pipeline.GrpoStage;
import dev.mllmrec.grpo.train.GrpoConfig;
import dev.mllmrec.recipe.Recipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link Recipe} as the command lines of its stages, so that {@code pipeline} runs exactly the recipe the library
 * trains with ({@code PipelineRecipeTest} parses these lines back and compares). Every setting is spelled out, none
 * is left to a flag's default.
 *
 * <p>Thread-safe: stateless.
 */
final class RecipeArgs {

    private RecipeArgs() {
    }

    /** {@code assess} and {@code augment} (for SFT and GRPO) after prepare, textualize and build-cot. */
    static List<String[]> reasoning(Recipe r, String wd) {
        Recipe.Reasoning q = r.reasoning();
        String seed = Long.toString(r.seed());
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {"assess", "--work-dir", wd, "--encoder", q.encoder(), "--keep-fraction",
            Double.toString(q.keepFraction())});
        out.add(new String[] {"augment", "--work-dir", wd, "--stage", "sft", "--seed", seed, "--cot-prob",
            Double.toString(q.sftCotProbability())});
        out.add(new String[] {"augment", "--work-dir", wd, "--stage", "grpo", "--seed", seed, "--cot-prob",
            Double.toString(q.grpoCotProbability())});
        return out;
    }

    /** {@code train-sft} with every option of {@code r.sft()}. */
    static String[] trainSft(Recipe r, String wd) {
        SftStage.Options o = r.sft();
        if (o.negatives() != 9) {
            throw new IllegalArgumentException("train-sft trains with 9 negatives; the recipe has " + o.negatives()
                    + ".");
        }
        List<String> a = new ArrayList<>(List.of("train-sft", "--work-dir", wd, "--seed", Long.toString(o.seed()),
                "--preset", o.preset(), "--sequence-epochs", Integer.toString(o.sequenceEpochs()),
                "--epochs", Integer.toString(o.epochs()), "--batch-size", Integer.toString(o.batchSize()),
                "--lr", Double.toString(o.learningRate()), "--max-train", Integer.toString(o.maxTrainSamples()),
                "--validation-samples", Integer.toString(o.validationSamples()),
                "--prompt-style", o.style().name().toLowerCase(Locale.ROOT),
                "--dropout", Double.toString(o.dropout()), "--grpo-holdout", Integer.toString(o.grpoHoldout()),
                "--item-content", o.content().id(), "--content-encoder", o.contentEncoder()));
        if (o.keepBestSequenceEpoch()) {
            a.add("--keep-best-sequence-epoch");
        }
        return a.toArray(String[]::new);
    }

    /** {@code train-grpo} with every option of {@code r.grpo()}. */
    static String[] trainGrpo(Recipe r, String wd) {
        GrpoStage.Options o = r.grpo();
        GrpoConfig c = o.config();
        List<String> a = new ArrayList<>(List.of("train-grpo", "--work-dir", wd, "--seed", Long.toString(c.seed()),
                "--init", o.init(), "--num-generations", Integer.toString(c.numGenerations()),
                "--beta", Double.toString(c.beta()), "--epsilon", Double.toString(c.epsilonLow()),
                "--loss", c.lossAggregation().name().toLowerCase(Locale.ROOT),
                "--cot-prob", Double.toString(o.cotProbability()), "--steps", Integer.toString(c.maxSteps()),
                "--prompts-per-step", Integer.toString(c.promptsPerStep()), "--lr", Double.toString(c.learningRate()),
                "--max-completion-tokens", Integer.toString(c.maxCompletionTokens()),
                "--temperature", Double.toString(c.temperature()), "--top-p", Double.toString(c.topP()),
                "--ranked-list", Integer.toString(c.rankedList()), "--mu", Integer.toString(c.policyUpdates()),
                "--grad-accum", Integer.toString(c.gradientAccumulation()),
                c.constrainToCandidates() ? "--constrain-to-candidates" : "--no-constrain-to-candidates",
                "--validate-every", Integer.toString(c.validateEverySteps()),
                "--validation-samples", Integer.toString(o.validationSamples()),
                "--negatives", Integer.toString(o.negatives()), "--recent-windows", Integer.toString(o.recentWindows()),
                "--max-train-prompts", Integer.toString(o.maxTrainPrompts()),
                "--inflation-window", Integer.toString(o.inflationWindow()),
                "--inflation-min-rise", Double.toString(o.inflationMinRise()),
                "--stop-on-inflation", Integer.toString(o.stopAfterFlags())));
        if (c.epsilonHigh() != c.epsilonLow()) {
            a.add("--epsilon-high");
            a.add(Double.toString(c.epsilonHigh()));
        }
        return a.toArray(String[]::new);
    }
}
