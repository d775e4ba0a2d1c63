package dev.mllmrec.examples.cli;

import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.lm.TrainablePolicies;
import dev.mllmrec.grpo.pipeline.GrpoStage;
import dev.mllmrec.grpo.train.GrpoConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train-grpo}: GRPO from the SFT checkpoint on the work directory's training prompts.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "train-grpo", mixinStandardHelpOptions = true,
        description = {"Trains the SFT policy further with GRPO (G sampled completions per prompt, the reference "
                + "recommendation reward, group advantages, clipped surrogate loss with a KL penalty to the SFT "
                + "policy) and writes W/checkpoints/grpo/step-N/ with latest.json and best.json pointing into them, W/grpo/metrics.jsonl, "
                + "W/grpo/reward_vs_validation.png and W/grpo/summary.json.",
                "Prompts come from W/train_grpo.jsonl when augment wrote it, else plain prompts over the training "
                        + "windows. Rerunning resumes from the checkpoint W/checkpoints/grpo/latest.json names."})
public final class TrainGrpoCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    DeviceOption devices;

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The prepared work directory.")
    Path workDir;

    @Option(names = "--init", paramLabel = "NAME|DIR", defaultValue = "sft",
            description = "Start from W/checkpoints/NAME (its newest checkpoint) or a checkpoint directory. "
                    + "Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--num-generations", paramLabel = "G", defaultValue = "8",
            description = "Completions per prompt. Default: ${DEFAULT-VALUE}.")
    int numGenerations;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "0.1",
            description = "KL weight (0 skips the reference policy). Default: ${DEFAULT-VALUE}.")
    double beta;

    @Option(names = "--epsilon", paramLabel = "E", defaultValue = "0.2",
            description = "Clip epsilon (both sides). Default: ${DEFAULT-VALUE}.")
    double epsilon;

    @Option(names = "--epsilon-high", paramLabel = "E",
            description = "Upper clip epsilon when it differs (DAPO's clip-higher, e.g. 0.28).")
    Double epsilonHigh;

    @Option(names = "--loss", paramLabel = "MODE", defaultValue = "grpo",
            description = "Loss aggregation: grpo, dapo or dr_grpo. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--cot-prob", paramLabel = "P", defaultValue = "0.05",
            description = "Full-CoT injection probability of the GRPO prompts (applied by augment when it writes "
                    + "W/train_grpo.jsonl; recorded here). Default: ${DEFAULT-VALUE}.")
    double cotProb;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "" + GrpoConfig.RECOMMENDED_STEPS,
            description = "GRPO steps (0: one pass over the prompts). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--prompts-per-step", paramLabel = "P", defaultValue = "4",
            description = "Prompts per step (each gets G completions). Default: ${DEFAULT-VALUE}.")
    int promptsPerStep;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-4",
            description = "AdamW learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--max-completion-tokens", paramLabel = "N", defaultValue = "24",
            description = "Completion-token budget. Default: ${DEFAULT-VALUE}.")
    int maxCompletionTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.9",
            description = "Sampling temperature. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.9",
            description = "Nucleus sampling threshold. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--ranked-list", paramLabel = "K",
            description = "Each completion draws a ranked list of K candidates (Plackett-Luce, its first is the "
                    + "answer), acts with the list's log-probability, and a target ranked j-th in it (j >= 1) earns "
                    + "0.7 / log2(j + 2) on top of the reference reward, so GRPO optimises an NDCG@K of the ranking "
                    + "rather than only the first place (1: the reference's single answer; above 1 needs "
                    + "--constrain-to-candidates; top-p does not cut the list). Default: "
                    + GrpoStage.Options.RANKED_LIST + " with constrained rollouts, else 1.")
    Integer rankedList;

    @Option(names = "--mu", paramLabel = "N", defaultValue = "1",
            description = "Policy updates per generation batch. Default: ${DEFAULT-VALUE}.")
    int mu;

    @Option(names = "--grad-accum", paramLabel = "N", defaultValue = "1",
            description = "Micro-batches per update. Default: ${DEFAULT-VALUE}.")
    int gradAccum;

    @Option(names = "--constrain-to-candidates", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Only let the policy choose one of the prompt's candidates; the rest of the chosen "
                    + "candidate's answer line ([ITEM_<id>] <title>) is then forced and left out of the loss, so "
                    + "every completion is well formed and rewards measure the choice of the item alone (on by "
                    + "default; --no-constrain-to-candidates is the reference's free generation). For LoRA "
                    + "adapters of a pretrained decoder (no token per item) it is off by default; given, each "
                    + "completion spells one candidate's whole answer line through a prefix trie of their tokens "
                    + "(the forced tokens left out of the loss; ranked lists of 1 only).")
    boolean constrain;

    @Option(names = "--base-model", paramLabel = "DIR",
            description = "The base folder of a LoRA SFT checkpoint (train-sft --base-model), when it is no longer "
                    + "where the checkpoint records it. The kind of policy comes from the checkpoint.")
    Path baseModel;

    @Spec
    CommandSpec spec;

    @Option(names = "--validate-every", paramLabel = "N", defaultValue = "25",
            description = "Validation every N steps (and at the start and the end). Default: ${DEFAULT-VALUE}.")
    int validateEvery;

    @Option(names = "--validation-samples", paramLabel = "N", defaultValue = "0",
            description = "Validation samples ranked per validation (0: all). Default: ${DEFAULT-VALUE}.")
    int validationSamples;

    @Option(names = "--negatives", paramLabel = "M", defaultValue = "9",
            description = "Negatives of the training windows and of validation. Default: ${DEFAULT-VALUE}.")
    int negatives;

    @Option(names = "--recent-windows", paramLabel = "R", defaultValue = "2",
            description = "Train on each user's R most recent training windows, the ones train-sft --grpo-holdout R "
                    + "left out, so that rewards are earned on prompts the policy was not fitted to (0: every "
                    + "training prompt). Default: ${DEFAULT-VALUE}.")
    int recentWindows;

    @Option(names = "--max-train-prompts", paramLabel = "N", defaultValue = "0",
            description = "Use at most N training prompts (0: all). Default: ${DEFAULT-VALUE}.")
    int maxTrainPrompts;

    @Option(names = "--inflation-window", paramLabel = "N", defaultValue = "50",
            description = "Reward-inflation window: compare each validation with the one at least N steps earlier. "
                    + "Default: ${DEFAULT-VALUE}.")
    int inflationWindow;

    @Option(names = "--inflation-min-rise", paramLabel = "R", defaultValue = "0.1",
            description = "Fitted training-reward rise over the window that counts as rising. "
                    + "Default: ${DEFAULT-VALUE}.")
    double inflationMinRise;

    @Option(names = "--stop-on-inflation", paramLabel = "N", defaultValue = "0",
            description = "Stop after N consecutive reward-inflation flags (0: only warn). Default: ${DEFAULT-VALUE}.")
    int stopOnInflation;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the prompt order and the rollouts. Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The stage's options from the flags. */
    GrpoStage.Options options() {
        GrpoConfig.Builder config = GrpoConfig.builder()
                .optNumGenerations(numGenerations)
                .optBeta(beta)
                .optEpsilon(epsilon)
                .optLossAggregation(GrpoStage.parseLoss(loss))
                .optMaxSteps(steps)
                .optPromptsPerStep(promptsPerStep)
                .optLearningRate(lr)
                .optMaxCompletionTokens(maxCompletionTokens)
                .optTemperature(temperature)
                .optTopP(topP)
                .optPolicyUpdates(mu)
                .optGradientAccumulation(gradAccum)
                .optConstrainToCandidates(constrain)
                .optRankedList(rankedList != null ? rankedList : constrain ? GrpoStage.Options.RANKED_LIST : 1)
                .optValidateEverySteps(validateEvery)
                .optCheckpointEverySteps(validateEvery)
                .optSeed(seed);
        if (epsilonHigh != null) {
            config.optEpsilonHigh(epsilonHigh);
        }
        return new GrpoStage.Options(init, config.build(), cotProb, validationSamples,
                negatives, maxTrainPrompts, inflationWindow, inflationMinRise, stopOnInflation, recentWindows);
    }

    @Override
    public Integer call() {
        devices.apply();
        WorkDir w = WorkDir.of(workDir);
        GrpoStage.Options options = options(); // the flags are checked before the work directory
        if (TrainablePolicies.isAdapterCheckpoint(GrpoStage.initCheckpoint(w, init))) {
            // A pretrained tokenizer has no token per item: generation is free by default (the reference's
            // protocol); asked for, the candidates' whole answer lines are spelled through a prefix trie.
            boolean explicit = spec != null && spec.commandLine() != null
                    && spec.commandLine().getParseResult().hasMatchedOption("--constrain-to-candidates");
            if (explicit && constrain) {
                if (rankedList != null && rankedList > 1) {
                    throw new IllegalArgumentException("--ranked-list " + rankedList + " needs one token per item, "
                            + "which the pretrained decoder's tokenizer has not; constrained rollouts of LoRA "
                            + "adapters draw one answer line (--ranked-list 1).");
                }
                rankedList = 1;
            } else {
                constrain = false;
            }
            options = options();
        } else if (baseModel != null) {
            throw new IllegalArgumentException("--base-model goes with a LoRA SFT checkpoint (train-sft "
                    + "--base-model); " + init + " holds the built-in policy.");
        }
        Map<String, Object> summary = GrpoStage.run(w, options, null, java.util.List.of(), baseModel);
        print(System.out, summary, w.summary(GrpoStage.NAME));
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintStream out, Map<String, Object> s, Path file) {
        out.println("GRPO: " + s.get("steps") + "/" + s.get("total_steps") + " steps from " + s.get("init") + " on "
                + s.get("train_prompts") + " prompts (" + s.get("prompt_source") + ")");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("seconds per step", CommandSupport.metric((Double) s.get("seconds_per_step"))));
        rows.add(List.of("rollout tokens/s", String.format(java.util.Locale.ROOT, "%.1f",
                (Double) s.get("rollout_tokens_per_second"))));
        Map<String, Object> trend = (Map<String, Object>) s.get("reward_trend");
        rows.add(List.of("reward start -> end", trend.get("start") + " -> " + trend.get("end")));
        Map<String, Double> fin = (Map<String, Double>) s.get("final_validation");
        Map<String, Double> best = (Map<String, Double>) s.get("best_validation");
        for (String k : List.of("HR@3", "NDCG@3")) {
            if (fin.containsKey(k)) {
                rows.add(List.of("final " + k, CommandSupport.metric(fin.get(k))));
            }
            if (best.containsKey(k)) {
                rows.add(List.of("best " + k + " (step " + s.get("best_step") + ")", CommandSupport.metric(best.get(k))));
            }
        }
        rows.add(List.of("inflation flags", Integer.toString(((List<?>) s.get("inflation_flags")).size())));
        CommandSupport.printTable(out, List.of("", "value"), rows);
        out.println("wrote " + file + " in " + CommandSupport.seconds((Double) s.get("seconds")));
        out.flush();
    }
}
