package dev.mllmrec.core.http;

/**
 * Sampling options of one request; {@code null} leaves a field to the server's default.
 *
 * @param temperature sampling temperature ({@code 0} for greedy)
 * @param topP        nucleus sampling mass
 * @param maxTokens   the most tokens to generate
 * @param seed        a sampling seed, for servers that honour it
 */
public record ChatOptions(Double temperature, Double topP, Integer maxTokens, Long seed) {

    /** Every field left to the server. */
    public static final ChatOptions SERVER_DEFAULTS = new ChatOptions(null, null, null, null);

    /** Validates. */
    public ChatOptions {
        if (temperature != null && (temperature < 0 || temperature.isNaN())) {
            throw new IllegalArgumentException("Temperature must be at least 0, got " + temperature + ".");
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP + ".");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be positive, got " + maxTokens + ".");
        }
    }

    /** Greedy decoding with at most {@code maxTokens} tokens (what the reference captioning script uses). */
    public static ChatOptions greedy(int maxTokens) {
        return new ChatOptions(0.0, null, maxTokens, null);
    }
}
