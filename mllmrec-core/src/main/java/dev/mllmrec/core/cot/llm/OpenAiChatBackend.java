package dev.mllmrec.core.cot.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A minimal {@link ChatBackend} for an OpenAI-compatible {@code /chat/completions} endpoint (vLLM, Ollama,
 * llama.cpp server, DeepSeek): a request timeout and a few retries with exponential backoff on I/O errors, 429 and
 * 5xx. Images go as {@code data:} URLs. A stand-in until the shared HTTP client of the textualization module is
 * adapted to {@link ChatBackend}.
 *
 * <p>Thread-safe.
 */
public final class OpenAiChatBackend implements ChatBackend {

    private final HttpClient http;
    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final double temperature;
    private final int maxTokens;
    private final Duration timeout;
    private final int retries;

    /**
     * @param baseUrl     for example {@code http://localhost:8000/v1}
     * @param apiKey      the bearer token, or {@code null}
     * @param model       the model name
     * @param temperature the sampling temperature (the reference refines at 0.1)
     * @param maxTokens   the reply's token limit (the reference: 256 pseudo, 300 refined; reasoning models need
     *                    more room for their hidden thinking)
     * @param timeout     the per-request timeout
     * @param retries     retries after the first attempt
     */
    public OpenAiChatBackend(String baseUrl, String apiKey, String model, double temperature, int maxTokens,
                             Duration timeout, int retries) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/chat/completions");
        this.apiKey = apiKey;
        this.model = Objects.requireNonNull(model, "model");
        this.temperature = temperature;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
        this.retries = retries;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String complete(List<ChatMessage> messages) throws ChatException {
        String body = Json.line(request(messages));
        Exception last = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                try {
                    Thread.sleep((long) (500 * Math.pow(2, attempt - 1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ChatException("Interrupted while retrying " + endpoint + ".", e);
                }
            }
            HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (apiKey != null && !apiKey.isBlank()) {
                rb.header("Authorization", "Bearer " + apiKey);
            }
            try {
                HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    JsonNode content = Json.mapper().readTree(r.body()).path("choices").path(0).path("message")
                            .path("content");
                    if (content.isTextual()) {
                        return content.asText().strip();
                    }
                    throw new ChatException(endpoint + " answered without choices[0].message.content.", null);
                }
                last = new IOException("HTTP " + r.statusCode() + ": " + abbreviate(r.body()));
                if (r.statusCode() != 429 && r.statusCode() < 500) {
                    break;
                }
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChatException("Interrupted while calling " + endpoint + ".", e);
            }
        }
        throw new ChatException(endpoint + " failed: " + (last == null ? "unknown" : last.getMessage()), last);
    }

    private ObjectNode request(List<ChatMessage> messages) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("model", model);
        root.put("temperature", temperature);
        root.put("max_tokens", maxTokens);
        ArrayNode msgs = root.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode mn = msgs.addObject();
            mn.put("role", m.role());
            if (m.content().size() == 1 && m.content().get(0) instanceof ChatMessage.Text t) {
                mn.put("content", t.text());
                continue;
            }
            ArrayNode parts = mn.putArray("content");
            for (ChatMessage.Part p : m.content()) {
                ObjectNode pn = parts.addObject();
                if (p instanceof ChatMessage.Text t) {
                    pn.put("type", "text");
                    pn.put("text", t.text());
                } else if (p instanceof ChatMessage.Image img) {
                    pn.put("type", "image_url");
                    pn.putObject("image_url").put("url", "data:" + img.mimeType() + ";base64,"
                            + Base64.getEncoder().encodeToString(img.bytes()));
                }
            }
        }
        return root;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }
}
