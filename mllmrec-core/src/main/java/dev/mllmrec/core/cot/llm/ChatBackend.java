package dev.mllmrec.core.cot.llm;

import dev.mllmrec.core.http.ChatException;
import dev.mllmrec.core.http.ChatMessage;
import java.util.List;

/**
 * Completes a chat: the seam between the reasoning generators and an OpenAI-compatible client (which owns the
 * endpoint, model, sampling settings, timeouts, bounded concurrency and retries with backoff). Implementations say
 * whether they are thread-safe; the generators call them from several threads when the pipeline runs in parallel.
 */
@FunctionalInterface
public interface ChatBackend {

    /**
     * Returns the assistant's reply to {@code messages}.
     *
     * @throws ChatException when the back end fails after its retries
     */
    String complete(List<ChatMessage> messages) throws ChatException;
}
