package dev.mllmrec.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for OpenAI-compatible {@code POST /v1/chat/completions} servers (vLLM, Ollama, llama.cpp server, hosted
 * APIs), on {@link java.net.http.HttpClient}.
 *
 * <ul>
 *   <li>The API key is read from an environment variable whose <em>name</em> is configured (default
 *       {@code OPENAI_API_KEY}) and sent as {@code Authorization: Bearer …}; it is never logged, and removed from
 *       any answer excerpt put into an exception message. Without the variable no header is sent (local servers).
 *   <li>At most {@code maxConcurrency} requests are in flight at once (a fair {@link Semaphore}).
 *   <li>429, 5xx, timeouts, dropped connections and malformed answers are retried with exponential backoff and full
 *       jitter, honouring {@code Retry-After}; other 4xx fail at once with the status and an excerpt of the body.
 * </ul>
 *
 * <p>Thread-safe: share one client between threads.
 */
public final class OpenAiChatClient {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatClient.class);
    private static final int EXCERPT_CHARS = 300;

    /** Sleeps between attempts; replaceable in tests. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final URI endpoint;
    private final String model;
    private final String apiKeyEnv;
    private final String apiKey;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final ChatOptions defaults;
    private final Semaphore permits;
    private final int maxConcurrency;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final long maxReplyBytes;

    private OpenAiChatClient(Builder b, URI endpoint) {
        this.endpoint = endpoint;
        this.model = b.model;
        this.apiKeyEnv = b.apiKeyEnv;
        String key = b.environment.apply(b.apiKeyEnv);
        this.apiKey = key == null || key.isBlank() ? null : key.strip();
        this.requestTimeout = b.requestTimeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.defaults = b.defaults;
        this.maxConcurrency = b.maxConcurrency;
        this.permits = new Semaphore(b.maxConcurrency, true);
        this.sleeper = b.sleeper;
        this.maxReplyBytes = b.maxReplyBytes;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** The default limit on a reply body: 1 MiB. */
    public static final long DEFAULT_MAX_REPLY_BYTES = 1L << 20;

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The chat-completions URL requests go to. */
    public URI endpoint() {
        return endpoint;
    }

    /** The model name sent with every request. */
    public String model() {
        return model;
    }

    /** The most requests in flight at once. */
    public int maxConcurrency() {
        return maxConcurrency;
    }

    /** Whether an API key was found in the configured environment variable (the key itself is never exposed). */
    public boolean hasApiKey() {
        return apiKey != null;
    }

    /** Sends {@code messages} with the client's default options. */
    public ChatCompletion complete(List<ChatMessage> messages) throws ChatException {
        return complete(messages, defaults);
    }

    /**
     * Sends one chat-completions request, retrying retryable failures.
     *
     * @throws ChatException on a non-retryable status, when every attempt failed, or when interrupted (the
     *                       thread's interrupt flag is then set again)
     */
    public ChatCompletion complete(List<ChatMessage> messages, ChatOptions options) throws ChatException {
        byte[] body = requestBody(messages, options == null ? defaults : options);
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest request = rb.build();
        String last = "no attempt was made";
        int lastStatus = -1;
        Throwable lastCause = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Duration retryAfter = null;
            HttpResponse<InputStream> response = null;
            String responseBody = null;
            try {
                permits.acquire();
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    responseBody = readBounded(response, attempt);
                } finally {
                    permits.release();
                }
            } catch (HttpTimeoutException e) {
                last = "no answer within " + requestTimeout.toMillis() + " ms";
                lastStatus = -1;
                lastCause = e;
            } catch (IOException e) {
                last = "the connection failed (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + redact(e.getMessage())) + ")";
                lastStatus = -1;
                lastCause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChatException("Chat request to " + endpoint + " was interrupted.", lastStatus, true,
                        attempt, e);
            }
            if (response != null) {
                int status = response.statusCode();
                lastStatus = status;
                lastCause = null;
                if (status >= 200 && status < 300) {
                    try {
                        return parse(responseBody, attempt);
                    } catch (MalformedAnswerException e) {
                        last = "a malformed answer (" + e.getMessage() + "): " + excerpt(responseBody);
                    }
                } else if (status == 429 || status >= 500) {
                    last = "HTTP " + status + ": " + excerpt(responseBody);
                    retryAfter = retryAfter(response);
                } else {
                    throw new ChatException("Chat request to " + endpoint + " (model " + model + ") was rejected with"
                            + " HTTP " + status + " and is not retried: " + excerpt(responseBody)
                            + (status == 401 || status == 403 ? " (check the API key in environment variable "
                            + apiKeyEnv + ")" : "") + ".", status, false, attempt, null);
                }
            }
            if (attempt == maxAttempts) {
                break;
            }
            Duration pause = backoff(attempt, retryAfter);
            LOG.debug("Chat request to {} failed on attempt {}/{} with {}; retrying in {} ms.", endpoint, attempt,
                    maxAttempts, last, pause.toMillis());
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChatException("Chat request to " + endpoint + " was interrupted while waiting to retry.",
                        lastStatus, true, attempt, e);
            }
        }
        throw new ChatException("Chat request to " + endpoint + " (model " + model + ") failed after " + maxAttempts
                + " attempts; the last failure was " + last + ".", lastStatus, true, maxAttempts, lastCause);
    }

    /**
     * The body of {@code response} as UTF-8, read up to {@link #maxReplyBytes()}; a longer reply is cut off, its
     * connection closed, and reported as a failure that is not retried (a server that sent it once will again).
     */
    private String readBounded(HttpResponse<InputStream> response, int attempt) throws IOException, ChatException {
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
        try (InputStream in = response.body()) {
            if (declared > maxReplyBytes) {
                throw tooLarge(response.statusCode(), declared + " bytes declared", attempt);
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxReplyBytes + 1));
            if (bytes.length > maxReplyBytes) {
                throw tooLarge(response.statusCode(), "more than " + maxReplyBytes + " bytes", attempt);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private ChatException tooLarge(int status, String size, int attempt) {
        return new ChatException("Chat request to " + endpoint + " (model " + model + ") got a reply of " + size
                + ", over the limit of " + maxReplyBytes + " bytes; nothing was stored (raise the limit with"
                + " optMaxReplyBytes if such replies are expected).", status, false, attempt, null);
    }

    /** The largest reply body accepted, in bytes. */
    public long maxReplyBytes() {
        return maxReplyBytes;
    }

    /** Full-jitter exponential backoff, or the server's {@code Retry-After} (capped) when it is longer. */
    Duration backoff(int attempt, Duration retryAfter) {
        long capMillis = Math.min(maxBackoff.toMillis(),
                initialBackoff.toMillis() * (1L << Math.min(30, attempt - 1)));
        long jitter = capMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capMillis + 1);
        if (retryAfter != null) {
            long ra = Math.min(retryAfter.toMillis(), maxRetryAfter.toMillis());
            return Duration.ofMillis(Math.max(ra, jitter));
        }
        return Duration.ofMillis(jitter);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        String v = response.headers().firstValue("Retry-After").orElse(null);
        if (v == null || v.isBlank()) {
            return null;
        }
        v = v.strip();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 ? Duration.ofMillis((long) (seconds * 1000)) : null;
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException ex) {
                return null;
            }
        }
    }

    private byte[] requestBody(List<ChatMessage> messages, ChatOptions options) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("A chat request needs at least one message.");
        }
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("model", model);
        ArrayNode msgs = root.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode node = msgs.addObject();
            node.put("role", m.role());
            if (m.content().size() == 1 && m.content().get(0) instanceof ContentPart.Text t) {
                node.put("content", t.text());
            } else {
                ArrayNode parts = node.putArray("content");
                for (ContentPart p : m.content()) {
                    ObjectNode part = parts.addObject();
                    if (p instanceof ContentPart.Text t) {
                        part.put("type", "text");
                        part.put("text", t.text());
                    } else if (p instanceof ContentPart.ImageUrl u) {
                        part.put("type", "image_url");
                        part.putObject("image_url").put("url", u.url());
                    }
                }
            }
        }
        if (options.temperature() != null) {
            root.put("temperature", options.temperature());
        }
        if (options.topP() != null) {
            root.put("top_p", options.topP());
        }
        if (options.maxTokens() != null) {
            root.put("max_tokens", options.maxTokens());
        }
        if (options.seed() != null) {
            root.put("seed", options.seed());
        }
        root.put("stream", false);
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a chat request: " + e.getMessage(), e);
        }
    }

    private static final class MalformedAnswerException extends Exception {
        MalformedAnswerException(String message) {
            super(message);
        }
    }

    private static ChatCompletion parse(String body, int attempts) throws MalformedAnswerException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedAnswerException("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedAnswerException("not a JSON object");
        }
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new MalformedAnswerException("no choices");
        }
        JsonNode choice = choices.get(0);
        JsonNode message = choice.get("message");
        if (message == null || !message.isObject()) {
            throw new MalformedAnswerException("the first choice has no message");
        }
        JsonNode content = message.get("content");
        String text;
        if (content == null || content.isNull()) {
            text = "";
        } else if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode t = part.get("text");
                if (t != null && t.isTextual()) {
                    sb.append(t.asText());
                }
            }
            text = sb.toString();
        } else {
            throw new MalformedAnswerException("the message content is neither text nor parts");
        }
        JsonNode usage = root.path("usage");
        return new ChatCompletion(text, textOrNull(choice.get("finish_reason")), textOrNull(root.get("model")),
                usage.path("prompt_tokens").asInt(-1), usage.path("completion_tokens").asInt(-1), attempts);
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty body)";
        }
        String oneLine = redact(body).replaceAll("\\s+", " ").strip();
        return oneLine.length() > EXCERPT_CHARS ? oneLine.substring(0, EXCERPT_CHARS) + "…" : oneLine;
    }

    /** Removes the API key (if any) from text that may echo it. */
    private String redact(String text) {
        return apiKey == null || text == null ? text : text.replace(apiKey, "[redacted]");
    }

    @Override
    public String toString() {
        return "OpenAiChatClient[" + endpoint + ", model " + model + ", key from $" + apiKeyEnv
                + (apiKey == null ? " (unset)" : "") + "]";
    }

    /** Builds an {@link OpenAiChatClient}: {@code set} methods are required, {@code opt} methods have defaults. */
    public static final class Builder {
        private String baseUrl;
        private String model;
        private String apiKeyEnv = "OPENAI_API_KEY";
        private Function<String, String> environment = System::getenv;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(120);
        private int maxConcurrency = 4;
        private int maxAttempts = 6;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration maxRetryAfter = Duration.ofSeconds(120);
        private ChatOptions defaults = ChatOptions.SERVER_DEFAULTS;
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private long maxReplyBytes = DEFAULT_MAX_REPLY_BYTES;

        private Builder() {
        }

        /**
         * The largest reply body accepted, in bytes; default {@value #DEFAULT_MAX_REPLY_BYTES} (1 MiB). A longer
         * reply fails its request (not retried) and nothing from it is stored.
         */
        public Builder optMaxReplyBytes(long maxReplyBytes) {
            this.maxReplyBytes = maxReplyBytes;
            return this;
        }

        /**
         * Required: the server's base URL, for example {@code http://localhost:8000} or
         * {@code https://api.openai.com/v1}; requests go to {@code <base>/v1/chat/completions} (the {@code /v1} is
         * not doubled when the base already ends with it).
         */
        public Builder setBaseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** Required: the model name, for example {@code Qwen/Qwen3-VL-8B-Instruct}. */
        public Builder setModel(String model) {
            this.model = model;
            return this;
        }

        /** The NAME of the environment variable holding the API key; default {@code OPENAI_API_KEY}. */
        public Builder optApiKeyEnv(String apiKeyEnv) {
            this.apiKeyEnv = apiKeyEnv;
            return this;
        }

        /** Where environment variables are looked up; default {@link System#getenv(String)} (tests, embedding). */
        public Builder optEnvironment(Function<String, String> environment) {
            this.environment = environment;
            return this;
        }

        /** Time allowed to open a connection; default 10 s. */
        public Builder optConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Time allowed for one attempt's answer; default 120 s. */
        public Builder optRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** The most requests in flight at once; default 4. */
        public Builder optMaxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /** Attempts per request, the first included; default 6. */
        public Builder optMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The backoff cap after the first failure, doubled after each further one; default 500 ms. */
        public Builder optInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** The largest backoff cap; default 30 s. */
        public Builder optMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** The longest {@code Retry-After} honoured; default 120 s. */
        public Builder optMaxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = maxRetryAfter;
            return this;
        }

        /** Options used when a request gives none; default the server's own defaults. */
        public Builder optDefaultOptions(ChatOptions defaults) {
            this.defaults = defaults;
            return this;
        }

        Builder optSleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the missing or bad setting
         */
        public OpenAiChatClient build() {
            if (baseUrl == null || baseUrl.isBlank()) {
                throw new IllegalArgumentException("The chat client needs a base URL: call setBaseUrl, for example"
                        + " with http://localhost:8000.");
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("The chat client needs a model name: call setModel.");
            }
            if (apiKeyEnv == null || !apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("The API key environment variable name must look like"
                        + " OPENAI_API_KEY, got '" + apiKeyEnv + "'.");
            }
            requirePositive("connect timeout", connectTimeout);
            requirePositive("request timeout", requestTimeout);
            requirePositive("initial backoff", initialBackoff);
            requirePositive("maximum backoff", maxBackoff);
            Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(defaults, "defaults");
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("The chat client's concurrency must be at least 1, got "
                        + maxConcurrency + ".");
            }
            if (maxReplyBytes < 1) {
                throw new IllegalArgumentException("The chat client's reply limit must be at least 1 byte, got "
                        + maxReplyBytes + ".");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("The chat client needs at least 1 attempt, got " + maxAttempts
                        + ".");
            }
            String base = baseUrl.strip();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            String url = base.toLowerCase(Locale.ROOT).endsWith("/v1") ? base + "/chat/completions"
                    : base + "/v1/chat/completions";
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("The base URL '" + baseUrl + "' is not a valid URL.", e);
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("The base URL must be http(s)://host[:port][/path], got '"
                        + baseUrl + "'.");
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException("Put credentials in the API key environment variable, not in"
                        + " the base URL.");
            }
            return new OpenAiChatClient(this, uri);
        }

        private static void requirePositive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("The chat client's " + what + " must be positive, got " + d
                        + ".");
            }
        }
    }
}
