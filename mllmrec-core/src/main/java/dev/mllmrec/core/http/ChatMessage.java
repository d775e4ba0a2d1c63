package dev.mllmrec.core.http;

import java.util.List;
import java.util.Objects;

/**
 * One chat message.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content its parts, in order (a single text part is sent as a plain string)
 */
public record ChatMessage(String role, List<ContentPart> content) {

    /** Validates and copies. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
        if (content.isEmpty()) {
            throw new IllegalArgumentException("A " + role + " chat message needs at least one content part.");
        }
    }

    /** A system message. */
    public static ChatMessage system(String text) {
        return new ChatMessage("system", List.of(ContentPart.text(text)));
    }

    /** A user message with text only. */
    public static ChatMessage user(String text) {
        return new ChatMessage("user", List.of(ContentPart.text(text)));
    }

    /** A user message with several parts, for example an image then a question. */
    public static ChatMessage user(ContentPart... parts) {
        return new ChatMessage("user", List.of(parts));
    }

    /** The concatenated text parts, one per line (for logs and fakes). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentPart p : content) {
            if (p instanceof ContentPart.Text t) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    /** An assistant message (for few-shot or multi-turn prompts). */
    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", List.of(ContentPart.text(text)));
    }
}
