package dev.mllmrec.core.cot.llm;

import dev.mllmrec.core.http.ContentPart;
import dev.mllmrec.core.http.OpenAiChatClient;
import java.util.ArrayList;
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
    public String complete(List<ChatMessage> messages) throws ChatBackend.ChatException {
        List<dev.mllmrec.core.http.ChatMessage> converted = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            List<ContentPart> parts = new ArrayList<>(m.content().size());
            for (ChatMessage.Part p : m.content()) {
                if (p instanceof ChatMessage.Text t) {
                    parts.add(ContentPart.text(t.text()));
                } else if (p instanceof ChatMessage.Image i) {
                    parts.add(ContentPart.imageData(i.mimeType(), i.bytes()));
                }
            }
            converted.add(new dev.mllmrec.core.http.ChatMessage(m.role(), parts));
        }
        try {
            return client.complete(converted).content();
        } catch (dev.mllmrec.core.http.ChatException e) {
            throw new ChatBackend.ChatException(e.getMessage(), e);
        }
    }
}
