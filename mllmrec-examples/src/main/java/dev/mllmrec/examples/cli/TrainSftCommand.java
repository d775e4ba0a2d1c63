package dev.mllmrec.examples.cli;

import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.content.ItemContentSource;
import dev.mllmrec.core.pipeline.SftStage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train-sft}: supervised fine-tuning of the policy on the prepared (and, when present, augmented) training
 * prompts.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "train-sft", mixinStandardHelpOptions = true,
        description = {"Trains the policy language model in two phases: item-sequence pre-training (every training "
                + "item predicted from the items before it, sampled softmax against uniform negatives the user has "
                + "not seen; W/checkpoints/sft-sequence, W/sft/sequence-metrics.jsonl), then the training prompts "
                + "(W/train_sft.jsonl when augment wrote it, else plain prompts over the training windows; a fifth "
                + "widened to 100 candidates) with the pre-training windows replayed beside them, with the loss on the "
                + "answer. Checkpoints go to W/checkpoints/sft (a killed run resumes from the newest), metrics to "
                + "W/sft/metrics.jsonl, the summary to W/sft/summary.json."})
public final class TrainSftCommand implements Callable<Integer> {

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The prepared work directory.")
    Path workDir;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "mini",
            description = "Model size: tiny, mini (SASRec's width), small or base. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3",
            description = "Passes over the training prompts, with the pre-training windows replayed beside them. "
                    + "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--sequence-epochs", paramLabel = "N", defaultValue = "50",
            description = "Passes of item-sequence pre-training (every training item predicted from the items "
                    + "before it) before the prompts; 0 skips it. Default: ${DEFAULT-VALUE}.")
    int sequenceEpochs;

    @Option(names = "--keep-best-sequence-epoch",
            description = "Continue from the pre-training epoch with the best validation HR@3 instead of the last "
                    + "(its weights are kept in W/checkpoints/sft-sequence/best either way).")
    boolean keepBestSequenceEpoch;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.3",
            description = "Dropout rate of training (embeddings and every sub-layer's output). "
                    + "Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--grpo-holdout", paramLabel = "R", defaultValue = "2",
            description = "Leave each user's R most recent training windows to GRPO (train-grpo --recent-windows); "
                    + "0 trains on all. Default: ${DEFAULT-VALUE}.")
    int grpoHoldout;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "128",
            description = "Examples (prompts and replayed windows) per optimizer step of the prompt phase. "
                    + "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3",
            description = "Learning rate of the prompt phase (constant, Adam beta2 0.98, no clipping or decay: "
                    + "SASRec's optimizer, as in pre-training). Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--max-train", paramLabel = "N", defaultValue = "6000",
            description = "Use a seeded subset of at most N training prompts (0: all); after pre-training, more "
                    + "prompts add little. Default: ${DEFAULT-VALUE}.")
    int maxTrain;

    @Option(names = "--validation-samples", paramLabel = "N", defaultValue = "0",
            description = "Validate on at most N users after each epoch (0: all). Default: ${DEFAULT-VALUE}.")
    int validationSamples;

    @Option(names = "--prompt-style", paramLabel = "STYLE", defaultValue = "compact",
            description = "compact (item tokens only; fast on a CPU) or reference (the reference prompt word for "
                    + "word, with titles). Default: ${DEFAULT-VALUE}.")
    String promptStyle;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--item-content", paramLabel = "SOURCE", defaultValue = "none",
            description = "What each item token's content vector is made of: none (ids only), text (title and "
                    + "attributes), captions (plus the caption of its image), shuffled-captions (a control: another "
                    + "item's caption). The vector, a frozen sentence embedding, is projected by a learnt matrix and "
                    + "added to the item's embedding. Default: ${DEFAULT-VALUE}.")
    String itemContent;

    @Option(names = "--content-encoder", paramLabel = "NAME", defaultValue = "minilm",
            description = "Sentence encoder of the item texts: minilm (all-MiniLM-L6-v2, 384 dimensions) or tfidf "
                    + "(hashed TF-IDF, 256). Cached under W/content/. Default: ${DEFAULT-VALUE}.")
    String contentEncoder;

    /** The stage's options from the flags. */
    SftStage.Options options() {
        return new SftStage.Options(preset, epochs, batchSize, learningRate, seed, maxTrain,
                validationSamples, 9, dev.mllmrec.core.prompt.PromptBuilder.Style.of(promptStyle), sequenceEpochs,
                dropout, grpoHoldout, keepBestSequenceEpoch, ItemContentSource.of(itemContent), contentEncoder);
    }

    @Override
    public Integer call() {
        Map<String, Object> summary = SftStage.run(WorkDir.of(workDir), options());
        System.out.print(Json.pretty(summary));
        return 0;
    }
}
