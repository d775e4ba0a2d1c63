package dev.mllmrec.spark;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.core.cot.BuiltinCotGenerator;
import dev.mllmrec.core.cot.llm.HttpChatBackend;
import dev.mllmrec.core.cot.llm.PseudoCotGenerator;
import dev.mllmrec.core.http.ChatOptions;
import dev.mllmrec.core.http.OpenAiChatClient;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Which reasoning writer the {@code build-cot} job runs on the executors, as the single-machine command's
 * {@code --generator} options name it: the built-in writer, or a multimodal LLM behind an OpenAI-compatible server
 * writing the pseudo chain of thought from each history's titles and posters ({@code openai-pseudo}). Shipped to
 * the executors without the API key: each reads the environment variable {@code apiKeyEnv} names.
 *
 * @param kind           {@code builtin} or {@code openai-pseudo}
 * @param baseUrl        openai-pseudo: the server, for example {@code http://llm:8000/v1}
 * @param model          openai-pseudo: the model name
 * @param apiKeyEnv      openai-pseudo: the environment variable holding the API key
 * @param timeoutSeconds openai-pseudo: the time limit of one request
 * @param temperature    openai-pseudo: the sampling temperature
 * @param maxTokens      openai-pseudo: the reply's token limit
 * @param concurrency    requests in flight per executor JVM (the client's limit) and windows a task writes at once
 */
public record CotGeneratorSpec(String kind, String baseUrl, String model, String apiKeyEnv, int timeoutSeconds,
                               double temperature, int maxTokens, int concurrency) implements Serializable {

    /** The built-in writer. */
    public static final String BUILTIN = "builtin";
    /** The pseudo chain of thought of a multimodal LLM behind an OpenAI-compatible server. */
    public static final String OPENAI_PSEUDO = "openai-pseudo";

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the option that is missing or out of range
     */
    public CotGeneratorSpec {
        kind = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
        if (!kind.equals(BUILTIN) && !kind.equals(OPENAI_PSEUDO)) {
            throw new IllegalArgumentException("Unknown --generator '" + kind + "'; use builtin or openai-pseudo "
                    + "(openai-refine, which reads earlier pseudo traces, runs on one machine).");
        }
        if (kind.equals(OPENAI_PSEUDO) && (baseUrl == null || baseUrl.isBlank() || model == null
                || model.isBlank())) {
            throw new IllegalArgumentException("--generator openai-pseudo needs --base-url and --model.");
        }
        if (timeoutSeconds < 1 || maxTokens < 1 || concurrency < 1) {
            throw new IllegalArgumentException("--timeout-s, --max-tokens and --concurrency must be at least 1, got "
                    + timeoutSeconds + ", " + maxTokens + ", " + concurrency + ".");
        }
    }

    /** The built-in writer, one window at a time per task. */
    public static CotGeneratorSpec builtin() {
        return new CotGeneratorSpec(BUILTIN, null, null, "OPENAI_API_KEY", 120, 0.1, 1024, 1);
    }

    /** The single-machine command's defaults for {@code openai-pseudo} (8 in flight, temperature 0.1). */
    public static CotGeneratorSpec openAiPseudo(String baseUrl, String model) {
        return new CotGeneratorSpec(OPENAI_PSEUDO, baseUrl, model, "OPENAI_API_KEY", 120, 0.1, 1024, 8);
    }

    /** Builds the writer over {@code catalog} and {@code captions} (on an executor: once per JVM). */
    CotGenerator create(Catalog catalog, Map<Integer, String> captions) {
        if (kind.equals(BUILTIN)) {
            return new BuiltinCotGenerator(catalog, captions);
        }
        OpenAiChatClient client = OpenAiChatClient.builder()
                .setBaseUrl(baseUrl)
                .setModel(model)
                .optApiKeyEnv(apiKeyEnv)
                .optRequestTimeout(Duration.ofSeconds(timeoutSeconds))
                .optMaxConcurrency(concurrency)
                .optDefaultOptions(new ChatOptions(temperature, null, maxTokens, null))
                .build();
        // Poster paths in the catalog are absolute (prepare writes them so); executors must be able to read them.
        return new PseudoCotGenerator(catalog, new HttpChatBackend(client),
                PseudoCotGenerator.imagesFrom(Path.of(".")), "movie", model);
    }
}
