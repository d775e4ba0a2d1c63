package dev.mllmrec.examples.cli;

import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.content.ItemContentSource;
import dev.mllmrec.core.lm.hf.LoraConfig;
import dev.mllmrec.core.pipeline.PretrainedSftStage;
import dev.mllmrec.core.pipeline.SftStage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train-sft}: supervised fine-tuning of the policy on the prepared (and, when present, augmented) training
 * prompts: the built-in policy, or with {@code --base-model DIR} LoRA adapters on a pretrained decoder.
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
                + "W/sft/metrics.jsonl, the summary to W/sft/summary.json.",
                "With --base-model DIR: LoRA fine-tuning of a pretrained Hugging Face decoder on reference-style "
                        + "prompts (no pre-training); the same files, the checkpoints holding the adapters."})
public final class TrainSftCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    DeviceOption devices;

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

    @Option(names = "--lr", paramLabel = "LR",
            description = "Learning rate of the prompt phase (constant, Adam beta2 0.98, no clipping or decay: "
                    + "SASRec's optimizer, as in pre-training). Default: 1e-3; with --base-model 2e-4 (AdamW, "
                    + "warm-up and cosine decay).")
    Double learningRate;

    @Option(names = "--max-train", paramLabel = "N", defaultValue = "6000",
            description = "Use a seeded subset of at most N training prompts (0: all); after pre-training, more "
                    + "prompts add little. Default: ${DEFAULT-VALUE}.")
    int maxTrain;

    @Option(names = "--validation-samples", paramLabel = "N",
            description = "Validate on at most N users after each epoch (0: all). Default: all; with --base-model "
                    + "64 (every candidate's whole answer is scored over the model's vocabulary).")
    Integer validationSamples;

    @Option(names = "--prompt-style", paramLabel = "STYLE", defaultValue = "compact",
            description = "compact (item tokens only; fast on a CPU) or reference (the reference prompt word for "
                    + "word, with titles). Default: ${DEFAULT-VALUE}.")
    String promptStyle;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--item-content", paramLabel = "SOURCE", defaultValue = "none",
            description = "What each item token's content vector is made of: none (ids only), text (title and "
                    + "attributes), captions (plus the caption of its image, encoded on its own and set beside the "
                    + "text's vector), shuffled-captions (a control: another item's caption), captions-only and "
                    + "shuffled-captions-only (the caption without the title and attributes). The vector, a frozen "
                    + "sentence embedding, is projected by a learnt matrix and added to the item's embedding. "
                    + "Default: ${DEFAULT-VALUE}.")
    String itemContent;

    @Option(names = "--content-encoder", paramLabel = "NAME", defaultValue = "minilm",
            description = "Sentence encoder of the item texts: minilm (all-MiniLM-L6-v2, 384 dimensions) or tfidf "
                    + "(hashed TF-IDF, 256), cached under W/content/; with +facets (minilm+facets) the item's "
                    + "genre multi-hot and release decade follow the text vector, and with captions its poster's "
                    + "standardised measurements (brightness, colour, palette). Default: ${DEFAULT-VALUE}.")
    String contentEncoder;

    @Option(names = "--base-model", paramLabel = "DIR",
            description = "Fine-tune a pretrained Hugging Face decoder (Llama, Qwen2, Qwen3: config.json, safetensors "
                    + "and tokenizer.json) with LoRA instead of training the built-in policy: the adapters alone "
                    + "train, on reference-style prompts (titles); pre-training, --preset, --prompt-style, "
                    + "--dropout and --item-content do not apply. The checkpoints hold the adapters, which "
                    + "train-grpo continues and evaluate --model pretrained --adapters DIR serves.")
    Path baseModel;

    @Option(names = "--lora-rank", paramLabel = "R", defaultValue = "16",
            description = "With --base-model: the adapters' rank. Default: ${DEFAULT-VALUE}.")
    int loraRank;

    @Option(names = "--lora-alpha", paramLabel = "A", defaultValue = "32",
            description = "With --base-model: the adapters' alpha (their update is scaled by alpha / rank). "
                    + "Default: ${DEFAULT-VALUE}.")
    double loraAlpha;

    @Option(names = "--lora-dropout", paramLabel = "P", defaultValue = "0.05",
            description = "With --base-model: dropout on the adapters' input during training. "
                    + "Default: ${DEFAULT-VALUE}.")
    double loraDropout;

    @Option(names = "--lora-targets", paramLabel = "LIST", defaultValue = "q,k,v,o",
            description = "With --base-model: the projections that get adapters, from q, k, v, o, gate, up, down "
                    + "(or all). Default: ${DEFAULT-VALUE}.")
    String loraTargets;

    @Option(names = "--chat-template", paramLabel = "auto|none", defaultValue = ChatTemplateOption.AUTO,
            description = "With --base-model: auto wraps every prompt in the base's chat template "
                    + "(tokenizer_config.json: ChatML as in Qwen2, Qwen3 with thinking off, Llama 3.0; an unknown "
                    + "template is refused), recorded for train-grpo and evaluate; none uses plain prompts. "
                    + "Default: ${DEFAULT-VALUE}.")
    String chatTemplate;

    /** The stage's options from the flags. */
    SftStage.Options options() {
        return new SftStage.Options(preset, epochs, batchSize, learningRate == null ? 1e-3 : learningRate, seed,
                maxTrain, validationSamples == null ? 0 : validationSamples, 9, dev.mllmrec.core.prompt.PromptBuilder.Style.of(promptStyle), sequenceEpochs,
                dropout, grpoHoldout, keepBestSequenceEpoch, ItemContentSource.of(itemContent), contentEncoder);
    }

    /** The LoRA stage's options from the flags ({@code --base-model}). */
    PretrainedSftStage.Options pretrainedOptions() {
        if (!"none".equalsIgnoreCase(itemContent.strip())) {
            throw new IllegalArgumentException("--item-content is the built-in policy's; a pretrained decoder "
                    + "(--base-model) reads the items' titles instead.");
        }
        LoraConfig lora = new LoraConfig(loraRank, loraAlpha, loraDropout, LoraConfig.parseTargets(loraTargets),
                seed);
        int validation = validationSamples == null ? 64 : validationSamples == 0 ? Integer.MAX_VALUE
                : validationSamples;
        return new PretrainedSftStage.Options(baseModel, lora, epochs, batchSize,
                learningRate == null ? 2e-4 : learningRate, seed, maxTrain, validation, 9, grpoHoldout, 0, 100,
                ChatTemplateOption.apply(chatTemplate));
    }

    @Override
    public Integer call() {
        devices.apply();
        if (baseModel != null) {
            Map<String, Object> summary = PretrainedSftStage.run(WorkDir.of(workDir), pretrainedOptions(),
                    java.util.List.of());
            System.out.print(Json.pretty(summary));
            return 0;
        }
        Map<String, Object> summary = SftStage.run(WorkDir.of(workDir), options());
        System.out.print(Json.pretty(summary));
        return 0;
    }
}
