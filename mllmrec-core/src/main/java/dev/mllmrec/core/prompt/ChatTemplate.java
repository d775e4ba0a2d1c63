package dev.mllmrec.core.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat format a pretrained model's prompts are wrapped in: one user turn holding the prompt, then the opening
 * of the assistant's turn, so that the completion (the answer line, and reasoning where the format allows it) is
 * what the model writes as the assistant, exactly as Hugging Face's {@code apply_chat_template(messages,
 * add_generation_prompt=True)} renders it.
 *
 * <p>There is no Jinja engine here: the template string of a model folder ({@code tokenizer_config.json}'s
 * {@code chat_template}, or {@code chat_template.jinja}) is recognised by its markers, and a template that is none of
 * the known ones is refused, naming the file:
 * <ul>
 *   <li>{@link Kind#CHATML} (Qwen2, Qwen2.5, SmolLM2 ...): {@code <|im_start|>user\n...<|im_end|>\n<|im_start|>assistant\n},
 *       preceded by the template's default system turn where it has one (Qwen2's {@code You are a helpful
 *       assistant.}).</li>
 *   <li>{@link Kind#QWEN3} (Qwen3's hybrid template, recognised by {@code enable_thinking}): ChatML without a
 *       system turn, with thinking off: the assistant's turn opens with the empty reasoning block
 *       {@code <think>\n\n</think>\n\n}, as {@code enable_thinking=False} renders it, so the model answers at once
 *       and the answer line is the first thing it writes.</li>
 *   <li>{@link Kind#LLAMA3} (Llama 3.0): {@code <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n...<|eot_id|>
 *       <|start_header_id|>assistant<|end_header_id|>\n\n}, the prompt stripped as the template's {@code trim} does.
 *       Llama 3.1 and later templates (a dated system turn, {@code Cutting Knowledge Date}) are refused.</li>
 * </ul>
 * A model folder without a chat template, or a caller that asks for none, gets {@link #none()}: the prompt as it is.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplate {

    /** The file of a Hugging Face folder that holds the chat template. */
    public static final String CONFIG_FILE = "tokenizer_config.json";
    /** The file newer Hugging Face folders keep the template in, beside {@link #CONFIG_FILE}. */
    public static final String JINJA_FILE = "chat_template.jinja";

    /** The known chat formats. */
    public enum Kind {
        /** No template: the prompt as it is. */
        NONE,
        /** ChatML ({@code <|im_start|>} / {@code <|im_end|>}), with the template's default system turn if any. */
        CHATML,
        /** Qwen3's ChatML with thinking off (an empty {@code <think>} block opens the assistant's turn). */
        QWEN3,
        /** Llama 3.0's header format ({@code <|start_header_id|>} / {@code <|eot_id|>}). */
        LLAMA3;

        /** The kind named {@code name} (case-insensitive). */
        public static Kind of(String name) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(name.strip())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("Unknown chat template '" + name + "'; known: none, chatml, qwen3, "
                    + "llama3.");
        }
    }

    private static final ChatTemplate NONE = new ChatTemplate(Kind.NONE, null, null);
    /** A default system turn in a ChatML template: a string literal up to the end marker, no expression inside. */
    private static final Pattern CHATML_DEFAULT_SYSTEM =
            Pattern.compile("<\\|im_start\\|>system(?:\\\\n|\\n)((?:[^'\"\\\\]|\\\\.)*?)<\\|im_end\\|>");
    private static final Pattern CHATML_GENERATION = Pattern.compile("<\\|im_start\\|>assistant(?:\\\\n|\\n)");
    private static final Pattern FORCED_THINKING =
            Pattern.compile("<\\|im_start\\|>assistant(?:\\\\n|\\n)<think>");

    private final Kind kind;
    private final String system;
    private final String bos;

    private ChatTemplate(Kind kind, String system, String bos) {
        this.kind = kind;
        this.system = system;
        this.bos = bos;
    }

    /** No template: {@link #wrap} returns the prompt unchanged. */
    public static ChatTemplate none() {
        return NONE;
    }

    /** ChatML with an optional default system turn ({@code null}: none). */
    public static ChatTemplate chatMl(String defaultSystem) {
        return new ChatTemplate(Kind.CHATML, defaultSystem, null);
    }

    /** Qwen3's template with thinking off. */
    public static ChatTemplate qwen3() {
        return new ChatTemplate(Kind.QWEN3, null, null);
    }

    /** Llama 3.0's template, opened by {@code bosToken} ({@code null}: none). */
    public static ChatTemplate llama3(String bosToken) {
        return new ChatTemplate(Kind.LLAMA3, null, bosToken);
    }

    /** The format. */
    public Kind kind() {
        return kind;
    }

    /** The default system turn's text, or {@code null}. */
    public String system() {
        return system;
    }

    /** The text that opens every prompt (Llama 3's {@code <|begin_of_text|>}), or {@code null}. */
    public String bos() {
        return bos;
    }

    /** Whether prompts are wrapped at all. */
    public boolean isNone() {
        return kind == Kind.NONE;
    }

    /**
     * {@code prompt} as the only user turn, followed by the opening of the assistant's turn (the text the model's
     * answer continues).
     */
    public String wrap(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        return switch (kind) {
            case NONE -> prompt;
            case CHATML -> (system == null ? "" : "<|im_start|>system\n" + system + "<|im_end|>\n")
                    + "<|im_start|>user\n" + prompt + "<|im_end|>\n<|im_start|>assistant\n";
            case QWEN3 -> "<|im_start|>user\n" + prompt + "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";
            case LLAMA3 -> (bos == null ? "" : bos) + "<|start_header_id|>user<|end_header_id|>\n\n" + prompt.strip()
                    + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        };
    }

    /**
     * The template of a Hugging Face model folder: {@code chat_template} of {@code dir/tokenizer_config.json}, else
     * {@code dir/chat_template.jinja}; {@link #none()} when the folder has neither.
     *
     * @throws IllegalArgumentException naming the file when the template is not one of the known formats
     */
    public static ChatTemplate detect(Path dir) {
        Path config = dir.resolve(CONFIG_FILE);
        String template = null;
        String bosToken = null;
        Path source = config;
        if (Files.isRegularFile(config)) {
            JsonNode root;
            try {
                root = Json.mapper().readTree(config.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + config + ": " + e.getMessage(), e);
            }
            template = templateText(root.path("chat_template"));
            JsonNode bos = root.path("bos_token");
            bosToken = bos.isTextual() ? bos.asText() : bos.path("content").isTextual()
                    ? bos.path("content").asText() : null;
        }
        Path jinja = dir.resolve(JINJA_FILE);
        if (template == null && Files.isRegularFile(jinja)) {
            try {
                template = Files.readString(jinja, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + jinja + ": " + e.getMessage(), e);
            }
            source = jinja;
        }
        return template == null || template.isBlank() ? NONE : recognise(template, bosToken, source.toString());
    }

    /** A string template, or the one named {@code default} in the list form. */
    private static String templateText(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode t : node) {
                if ("default".equals(t.path("name").asText())) {
                    return t.path("template").asText(null);
                }
            }
        }
        return null;
    }

    /**
     * Recognises a Jinja chat template by its markers.
     *
     * @param template the template text
     * @param bosToken the tokenizer's BOS token text ({@code bos_token}), or {@code null}
     * @param source   where the template comes from (for the error message)
     * @throws IllegalArgumentException naming {@code source} when the template is not one of the known formats
     */
    public static ChatTemplate recognise(String template, String bosToken, String source) {
        if (template.contains("<|im_start|>") && template.contains("<|im_end|>")) {
            if (!CHATML_GENERATION.matcher(template).find()) {
                throw unknown(source, "a ChatML template without the assistant opening '<|im_start|>assistant\\n'");
            }
            if (template.contains("enable_thinking")) {
                return qwen3();
            }
            if (FORCED_THINKING.matcher(template).find()) {
                throw unknown(source, "a ChatML template that always opens the assistant's turn with <think> "
                        + "(a reasoning-only model such as QwQ): the answer line would not come first");
            }
            Matcher m = CHATML_DEFAULT_SYSTEM.matcher(template);
            return chatMl(m.find() ? unescape(m.group(1)) : null);
        }
        if (template.contains("<|start_header_id|>") && template.contains("<|eot_id|>")) {
            if (template.contains("Cutting Knowledge Date") || template.contains("date_string")) {
                throw unknown(source, "a Llama 3.1+ template, whose dated system turn is not reproduced here");
            }
            return llama3(template.contains("bos_token") ? bosToken : null);
        }
        throw unknown(source, "neither ChatML (<|im_start|>, Qwen2/Qwen3) nor Llama 3 (<|start_header_id|>)");
    }

    private static IllegalArgumentException unknown(String source, String what) {
        return new IllegalArgumentException("The chat template in " + source + " is " + what + "; mllmrec applies "
                + "only the templates it recognises (ChatML as in Qwen2, Qwen3 with thinking off, Llama 3.0). Pass "
                + "--chat-template none (ChatTemplate.none() in Java) to use plain prompts.");
    }

    /** The text of a Jinja string literal's body. */
    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The form recorded beside checkpoints ({@code prompt.json}): {@code kind}, and {@code system}, {@code bos}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.name().toLowerCase(Locale.ROOT));
        if (system != null) {
            m.put("system", system);
        }
        if (bos != null) {
            m.put("bos", bos);
        }
        return m;
    }

    /** The template {@link #toMap()} recorded; {@code null} gives {@link #none()}. */
    public static ChatTemplate fromMap(Map<?, ?> m) {
        if (m == null) {
            return NONE;
        }
        Kind kind = Kind.of(String.valueOf(m.get("kind")));
        Object system = m.get("system");
        Object bos = m.get("bos");
        return switch (kind) {
            case NONE -> NONE;
            case CHATML -> chatMl(system == null ? null : system.toString());
            case QWEN3 -> qwen3();
            case LLAMA3 -> llama3(bos == null ? null : bos.toString());
        };
    }

    /** The kind's name in lower case ({@code none}, {@code chatml}, {@code qwen3}, {@code llama3}). */
    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChatTemplate t && t.kind == kind && Objects.equals(t.system, system)
                && Objects.equals(t.bos, bos);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, system, bos);
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name() + (system == null ? "" : ", system='" + system + "'") + "]";
    }
}
