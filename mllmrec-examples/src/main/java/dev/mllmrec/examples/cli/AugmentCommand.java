package dev.mllmrec.examples.cli;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.TrainingStage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code augment}: mixed-grained injection of kept reasoning into the training prompts of one stage. */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = {"Draws, per training window and seeded, whether its prompt carries no reasoning, the Step-3 "
                + "criteria only, or the full chain of thought, from the traces kept by 'assess'. Fractions are of "
                + "ALL windows (windows without a kept trace stay plain). Writes W/train_<stage>.jsonl and "
                + "W/augment/summary.json with the realised mix."})
public final class AugmentCommand implements Callable<Integer> {

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--train-samples", paramLabel = "FILE",
            description = "Training windows. Default: W/samples/train-*/samples.jsonl.")
    Path trainSamples;

    @Option(names = "--stage", paramLabel = "STAGE", required = true, description = "sft or grpo.")
    String stage;

    @Option(names = "--cot-prob", paramLabel = "P",
            description = "Fraction of windows with the full CoT. Default: 0.1 (sft), 0.05 (grpo), as the reference.")
    Double cotProb;

    @Option(names = "--criteria-prob", paramLabel = "Q", defaultValue = "0",
            description = "Fraction of windows with Step 3 only. Default: ${DEFAULT-VALUE}.")
    double criteriaProb;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "quota",
            description = "quota (exact counts) or bernoulli (independent draws). Default: ${DEFAULT-VALUE}.")
    String strategy;

    @Override
    public Integer call() {
        WorkDir w = WorkDir.of(workDir);
        TrainingStage st = TrainingStage.parse(stage);
        List<RecommendationSample> samples = CotInputs.trainSamples(w, trainSamples);
        MixedGrainedAugmenter.Strategy strat;
        try {
            strat = MixedGrainedAugmenter.Strategy.valueOf(strategy.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown --strategy '" + strategy + "'; expected quota or bernoulli.");
        }
        MixedGrainedAugmenter aug = new MixedGrainedAugmenter(cotProb == null ? st.referenceCotProbability() : cotProb,
                criteriaProb, seed, strat);
        CotPipeline.AugmentSummary s = CotPipeline.augment(w, st, samples, aug, null);
        System.out.print(Json.pretty(s));
        return 0;
    }
}
