package dev.mllmrec.core.rec;

import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.TrainablePolicies;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizers;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A policy model together with its tokenizer, as loaded from a checkpoint: the built-in {@link CausalLm}, or LoRA
 * adapters of a pretrained Hugging Face decoder ({@link HfDecoder}, loaded on the base folder the checkpoint records
 * and merged for serving). Owns both: close it to free the model's native memory.
 *
 * <p>Not thread-safe to close; inference through recommenders built on it may run concurrently.
 *
 * @param policy       the policy
 * @param tokenizer    its tokenizer
 * @param source       the checkpoint directory it was loaded from, or {@code null}
 * @param style        the prompt style the policy was trained on
 * @param chatTemplate the chat template its prompts were wrapped in ({@link ChatTemplate#none()} for the built-in)
 */
public record PolicyBundle(PolicyModel policy, TextTokenizer tokenizer, Path source, PromptBuilder.Style style,
                           ChatTemplate chatTemplate) implements AutoCloseable {

    /** The file, in a checkpoint root or directory, that records the prompt style a policy was trained on. */
    public static final String PROMPT_FILE = "prompt.json";

    /** Validates. */
    public PolicyBundle {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
    }

    /** A bundle of the built-in policy (no chat template). */
    public PolicyBundle(CausalLm model, TextTokenizer tokenizer, Path source, PromptBuilder.Style style) {
        this(model, tokenizer, source, style, ChatTemplate.none());
    }

    /**
     * The built-in policy.
     *
     * @throws IllegalStateException when this bundle holds a pretrained decoder ({@link #policy()} serves both)
     */
    public CausalLm model() {
        if (policy instanceof CausalLm m) {
            return m;
        }
        throw new IllegalStateException("The checkpoint " + source + " holds LoRA adapters of a pretrained decoder, "
                + "not the built-in policy; use policy() (export-onnx and item-token features need the built-in "
                + "one).");
    }

    /** Whether the policy is a pretrained decoder with adapters rather than the built-in model. */
    public boolean isPretrained() {
        return !(policy instanceof CausalLm);
    }

    /**
     * How candidates are scored: by their item token for the built-in policy (one token per item), by their whole
     * answer line ({@code [ITEM_<id>] <title>}) for a pretrained tokenizer.
     */
    public AnswerScope answerScope() {
        return isPretrained() ? AnswerScope.FULL_ANSWER : AnswerScope.ITEM_TOKEN;
    }

    /** Records {@code style} in {@code dir/prompt.json}. */
    public static void writeStyle(Path dir, PromptBuilder.Style style) {
        writeStyle(dir, style, ChatTemplate.none());
    }

    /**
     * Records {@code style} and the chat template prompts are wrapped in ({@code chat_template}, left out when
     * there is none) in {@code dir/prompt.json}.
     */
    public static void writeStyle(Path dir, PromptBuilder.Style style, ChatTemplate template) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("style", style.name().toLowerCase(java.util.Locale.ROOT));
        if (!template.isNone()) {
            m.put("chat_template", template.toMap());
        }
        Json.writePretty(dir.resolve(PROMPT_FILE), m);
    }

    /**
     * The chat template recorded in {@code dir} or one of its two nearest ancestors ({@link ChatTemplate#none()}
     * when none records one: the built-in policy, and pretrained policies trained before templates were applied).
     */
    public static ChatTemplate readChatTemplate(Path dir) {
        return findChatTemplate(dir).orElse(ChatTemplate.none());
    }

    /**
     * The chat template recorded by the nearest {@code prompt.json} in {@code dir} or its two nearest ancestors
     * ({@link ChatTemplate#none()} when that file names none), or empty when there is no such file.
     */
    public static java.util.Optional<ChatTemplate> findChatTemplate(Path dir) {
        Path d = dir.toAbsolutePath();
        for (int i = 0; i < 3 && d != null; i++, d = d.getParent()) {
            Path f = d.resolve(PROMPT_FILE);
            if (Files.isRegularFile(f)) {
                Object t = Json.read(f, java.util.Map.class).get("chat_template");
                return java.util.Optional.of(t instanceof java.util.Map<?, ?> m ? ChatTemplate.fromMap(m)
                        : ChatTemplate.none());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The prompt style recorded in {@code dir} or one of its two nearest ancestors ({@link PromptBuilder.Style#REFERENCE}
     * when none records one).
     */
    public static PromptBuilder.Style readStyle(Path dir) {
        Path d = dir.toAbsolutePath();
        for (int i = 0; i < 3 && d != null; i++, d = d.getParent()) {
            Path f = d.resolve(PROMPT_FILE);
            if (Files.isRegularFile(f)) {
                Object style = Json.read(f, java.util.Map.class).get("style");
                return PromptBuilder.Style.of(String.valueOf(style));
            }
        }
        return PromptBuilder.Style.REFERENCE;
    }

    /** A prompt builder over {@code catalog} in the style (and chat template) this policy was trained on. */
    public PromptBuilder prompts(dev.mllmrec.api.Catalog catalog) {
        return PromptBuilder.builder().setCatalog(catalog).optStyle(style).optChatTemplate(chatTemplate).build();
    }

    /**
     * Loads the latest complete checkpoint under {@code root} (a directory of {@code step-*} checkpoints with a
     * {@code latest.json} pointer, {@link CheckpointStore}), the checkpoint a pointer file such as
     * {@code W/checkpoints/grpo/best.json} names, or {@code root} itself when it is a single checkpoint directory. LoRA adapters
     * are loaded on the base folder their checkpoint records and merged.
     *
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint
     * @throws dev.mllmrec.core.CorruptCheckpointException naming a file that fails its checksum
     */
    public static PolicyBundle load(Path root) {
        return load(root, null);
    }

    /**
     * {@link #load(Path)}, with {@code baseModel} the base folder of LoRA adapters when it is no longer where their
     * checkpoint records it ({@code null}: the recorded one; it must be {@code null} for the built-in policy).
     *
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint, or the base folder when it
     *                                  is missing or another model than the adapters were trained on
     */
    public static PolicyBundle load(Path root, Path baseModel) {
        Path dir;
        if (isCheckpoint(root)) {
            dir = root;
        } else if (Files.isRegularFile(root)) {
            dir = CheckpointStore.resolve(root);
        } else {
            dir = CheckpointStore.find(root, CheckpointStore.LATEST).orElseThrow(() -> new IllegalArgumentException(
                    "No policy checkpoint under " + root + "; train one first (train-sft or train-grpo)."));
        }
        CheckpointDigest.verify(dir);
        if (!TrainablePolicies.isAdapterCheckpoint(dir)) {
            if (baseModel != null) {
                throw new IllegalArgumentException(dir + " holds a built-in policy, not LoRA adapters: it needs no "
                        + "base model (" + baseModel + ").");
            }
            TextTokenizer tokenizer = TextTokenizers.load(dir.resolve(SftCheckpoint.TOKENIZER_FILE));
            CausalLm model = CausalLm.load(dir);
            return new PolicyBundle(model, tokenizer, dir, readStyle(dir));
        }
        TextTokenizer tokenizer = TextTokenizers.load(dir.resolve(SftCheckpoint.TOKENIZER_FILE));
        try {
            TrainablePolicy policy = TrainablePolicies.load(dir, baseModel);
            try {
                if (tokenizer.vocabSize() > policy.vocabSize()) {
                    throw new IllegalArgumentException(dir.resolve(SftCheckpoint.TOKENIZER_FILE) + " has "
                            + tokenizer.vocabSize() + " ids but the model only " + policy.vocabSize() + ".");
                }
                ((HfDecoder) policy).mergeAdapters(); // serving: the update folded into the weights
                return new PolicyBundle(policy, tokenizer, dir, readStyle(dir), readChatTemplate(dir));
            } catch (RuntimeException e) {
                policy.close();
                throw e;
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Whether {@code dir} is one checkpoint (built-in or adapters) with its tokenizer. */
    private static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(SftCheckpoint.TOKENIZER_FILE))
                && (Files.isRegularFile(dir.resolve(CausalLm.CONFIG_FILE))
                || TrainablePolicies.isAdapterCheckpoint(dir));
    }

    @Override
    public void close() {
        try {
            policy.close();
        } finally {
            tokenizer.close();
        }
    }
}
