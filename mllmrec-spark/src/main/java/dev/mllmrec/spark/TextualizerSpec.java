package dev.mllmrec.spark;

import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.http.OpenAiChatClient;
import dev.mllmrec.core.textualize.BuiltinTextualizer;
import dev.mllmrec.core.textualize.OpenAiVisionTextualizer;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;

/**
 * Which captioner the {@code textualize} job runs on the executors, as the single-machine command's
 * {@code --textualizer} options name it: the built-in one, or a vision-language model behind an OpenAI-compatible
 * server. Shipped to the executors; the API key is not part of it: each executor reads the environment variable
 * named by {@code apiKeyEnv} itself, so the key never travels with the job or reaches a log.
 *
 * @param kind                  {@code builtin} or {@code openai}
 * @param baseUrl               openai: the server, for example {@code http://vlm:8000} (null for builtin)
 * @param model                 openai: the model name (null for builtin)
 * @param apiKeyEnv             openai: the environment variable holding the API key (may be unset on the executors)
 * @param requestTimeoutSeconds openai: the time limit of one request
 * @param concurrency           requests in flight per executor JVM, all of its tasks together (the client's limit),
 *                              and items each task captions at once
 */
public record TextualizerSpec(String kind, String baseUrl, String model, String apiKeyEnv, int requestTimeoutSeconds,
                              int concurrency) implements Serializable {

    /** The built-in captioner. */
    public static final String BUILTIN = "builtin";
    /** A vision-language model behind an OpenAI-compatible chat-completions server. */
    public static final String OPENAI = "openai";

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the option that is missing or out of range
     */
    public TextualizerSpec {
        kind = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
        if (!kind.equals(BUILTIN) && !kind.equals(OPENAI)) {
            throw new IllegalArgumentException("Unknown --textualizer '" + kind + "'; use builtin or openai.");
        }
        if (kind.equals(OPENAI) && (baseUrl == null || baseUrl.isBlank() || model == null || model.isBlank())) {
            throw new IllegalArgumentException("--textualizer openai needs --base-url and --model.");
        }
        if (requestTimeoutSeconds < 1) {
            throw new IllegalArgumentException("--request-timeout must be at least 1 second, got "
                    + requestTimeoutSeconds + ".");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1, got " + concurrency + ".");
        }
    }

    /** The built-in captioner, one item at a time per task (Spark's tasks are the parallelism). */
    public static TextualizerSpec builtin() {
        return new TextualizerSpec(BUILTIN, null, null, "OPENAI_API_KEY", 120, 1);
    }

    /** An OpenAI-compatible server with the single-machine command's defaults (key in OPENAI_API_KEY, 4 in flight). */
    public static TextualizerSpec openAi(String baseUrl, String model) {
        return new TextualizerSpec(OPENAI, baseUrl, model, "OPENAI_API_KEY", 120, 4);
    }

    /** Builds the textualizer (on an executor: {@link ExecutorModels#textualizer} builds one per JVM). */
    VisualTextualizer create() {
        if (kind.equals(BUILTIN)) {
            return new BuiltinTextualizer();
        }
        OpenAiChatClient client = OpenAiChatClient.builder()
                .setBaseUrl(baseUrl)
                .setModel(model)
                .optApiKeyEnv(apiKeyEnv)
                .optRequestTimeout(Duration.ofSeconds(requestTimeoutSeconds))
                .optMaxConcurrency(concurrency)
                .build();
        return new OpenAiVisionTextualizer(client);
    }
}
