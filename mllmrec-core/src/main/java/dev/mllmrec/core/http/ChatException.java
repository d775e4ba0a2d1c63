package dev.mllmrec.core.http;

/**
 * A chat request failed (the one failure type of every chat back end: {@link OpenAiChatClient} and the reasoning
 * generators' {@code ChatBackend}): a non-retryable HTTP status (a 4xx other than 429), or retryable failures (429, 5xx,
 * timeouts, dropped connections, malformed answers) on every allowed attempt. The message is a sentence with the
 * endpoint, the status and an excerpt of the answer; it never contains the API key.
 */
public class ChatException extends Exception {

    private final int status;
    private final boolean retryable;
    private final int attempts;

    /**
     * A failure of a chat back end that is not this library's HTTP client (for example a test double or an in-process
     * model): no HTTP status, not retryable, one attempt.
     *
     * @param message the full-sentence message
     * @param cause   the underlying exception, or {@code null}
     */
    public ChatException(String message, Throwable cause) {
        this(message, -1, false, 1, cause);
    }

    /**
     * @param message   the full-sentence message
     * @param status    the last HTTP status, or {@code -1} when none was received
     * @param retryable whether the last failure was of a retryable kind
     * @param attempts  how many attempts were made
     * @param cause     the underlying exception, or {@code null}
     */
    public ChatException(String message, int status, boolean retryable, int attempts, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
        this.attempts = attempts;
    }

    /** The last HTTP status, or {@code -1} when none was received. */
    public int status() {
        return status;
    }

    /** Whether the last failure was of a retryable kind (so retrying later may succeed). */
    public boolean retryable() {
        return retryable;
    }

    /** How many attempts were made. */
    public int attempts() {
        return attempts;
    }
}
