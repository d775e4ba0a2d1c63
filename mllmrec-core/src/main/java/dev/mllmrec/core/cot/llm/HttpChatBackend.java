package dev.mllmrec.core.cot.llm;

import dev.mllmrec.core.http.ChatException;
import dev.mllmrec.core.http.ChatMessage;
import dev.mllmrec.core.http.OpenAiChatClient;
import java.util.List;
import java.util.Objects;

/**
 * The reasoning generators' {@link ChatBackend} over the shared {@link OpenAiChatClient}, which owns the endpoint,
 * model, timeouts, bounded concurrency and retries with backoff (see its builder).
 *
 * <p>Thread-safe, as the client is.
 */
public final class HttpChatBackend implements ChatBackend {

    private final OpenAiChatClient client;

    /** A backend over {@code client}. */
    public HttpChatBackend(OpenAiChatClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public String complete(List<ChatMessage> messages) throws ChatException {
        return client.complete(messages).content();
    }
}
