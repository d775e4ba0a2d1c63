package dev.mllmrec.core.cot.llm;

import java.util.List;
import java.util.Objects;

/**
 * One chat message: a role and content parts (text and images), as OpenAI-compatible chat APIs take them.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content the parts, in order
 */
public record ChatMessage(String role, List<Part> content) {

    /** Validates and copies. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
    }

    /** A user message of one text part. */
    public static ChatMessage user(String text) {
        return new ChatMessage("user", List.of(new Text(text)));
    }

    /** The concatenated text parts (for logs and fakes). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Part p : content) {
            if (p instanceof Text t) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    /** A content part. */
    public sealed interface Part permits Text, Image {
    }

    /**
     * A text part.
     *
     * @param text the text
     */
    public record Text(String text) implements Part {
        /** Validates. */
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An inline image part; a back end sends it as a {@code data:} URL.
     *
     * @param mimeType for example {@code image/jpeg}
     * @param bytes    the encoded image
     */
    public record Image(String mimeType, byte[] bytes) implements Part {
        /** Validates. */
        public Image {
            Objects.requireNonNull(mimeType, "mimeType");
            Objects.requireNonNull(bytes, "bytes");
        }

        /** The MIME type of encoded image bytes by their magic number (JPEG when unknown). */
        public static String sniff(byte[] b) {
            if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
                return "image/png";
            }
            if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W') {
                return "image/webp";
            }
            if (b.length >= 3 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
                return "image/gif";
            }
            return "image/jpeg";
        }
    }
}
