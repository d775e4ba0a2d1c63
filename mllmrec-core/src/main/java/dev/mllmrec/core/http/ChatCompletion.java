package dev.mllmrec.core.http;

/**
 * The answer to a chat request.
 *
 * @param content          the first choice's text (parts joined), never {@code null}
 * @param finishReason     why generation stopped ({@code stop}, {@code length}, …), or {@code null}
 * @param model            the model that answered, as the server reports it, or {@code null}
 * @param promptTokens     prompt tokens used, or {@code -1} when not reported
 * @param completionTokens completion tokens used, or {@code -1} when not reported
 * @param attempts         how many HTTP attempts it took (1 when no retry was needed)
 */
public record ChatCompletion(String content, String finishReason, String model, int promptTokens,
                             int completionTokens, int attempts) {
}
