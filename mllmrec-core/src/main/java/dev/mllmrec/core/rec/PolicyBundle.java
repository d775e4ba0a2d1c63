package dev.mllmrec.core.rec;

import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizers;
import dev.mllmrec.core.prompt.ChatTemplate;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A policy model together with its tokenizer, as loaded from a checkpoint. Owns both: close it to free the model's
 * native memory.
 *
 * <p>Not thread-safe to close; inference through recommenders built on it may run concurrently.
 *
 * @param model     the policy
 * @param tokenizer its tokenizer
 * @param source    the checkpoint directory it was loaded from, or {@code null}
 * @param style     the prompt style the policy was trained on
 */
public record PolicyBundle(CausalLm model, TextTokenizer tokenizer, Path source, PromptBuilder.Style style)
        implements AutoCloseable {

    /** The file, in a checkpoint root or directory, that records the prompt style a policy was trained on. */
    public static final String PROMPT_FILE = "prompt.json";

    /** Validates. */
    public PolicyBundle {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(style, "style");
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

    /** A prompt builder over {@code catalog} in the style this policy was trained on. */
    public PromptBuilder prompts(dev.mllmrec.api.Catalog catalog) {
        return PromptBuilder.builder().setCatalog(catalog).optStyle(style).build();
    }

    /**
     * Loads the newest complete checkpoint under {@code root} (a directory of {@code step-*} checkpoints with a
     * {@code latest.json} pointer) or {@code root} itself when it is a single checkpoint directory.
     *
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint
     * @throws dev.mllmrec.core.CorruptCheckpointException naming a file that fails its checksum
     */
    public static PolicyBundle load(Path root) {
        Path dir;
        if (Files.isRegularFile(root.resolve(CausalLm.CONFIG_FILE))
                && Files.isRegularFile(root.resolve(SftCheckpoint.TOKENIZER_FILE))) {
            dir = root;
        } else if (Files.isRegularFile(root.resolve("latest").resolve(CausalLm.CONFIG_FILE))) {
            dir = root.resolve("latest");
        } else {
            dir = SftCheckpoint.latest(root).orElseThrow(() -> new IllegalArgumentException(
                    "No policy checkpoint under " + root + "; train one first (train-sft or train-grpo)."));
        }
        CheckpointDigest.verify(dir);
        TextTokenizer tokenizer = TextTokenizers.load(dir.resolve(SftCheckpoint.TOKENIZER_FILE));
        CausalLm model = CausalLm.load(dir);
        return new PolicyBundle(model, tokenizer, dir, readStyle(dir));
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            tokenizer.close();
        }
    }
}
