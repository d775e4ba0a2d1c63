package dev.mllmrec.core.http;

import java.util.Base64;
import java.util.Objects;

/** One part of a chat message's content: text or an image URL (possibly a {@code data:} URL). */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.ImageUrl {

    /**
     * A text part.
     *
     * @param text the text
     */
    record Text(String text) implements ContentPart {
        /** Validates. */
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image part.
     *
     * @param url an {@code http(s):} or {@code data:image/<type>;base64,…} URL
     */
    record ImageUrl(String url) implements ContentPart {
        /** Validates. */
        public ImageUrl {
            Objects.requireNonNull(url, "url");
        }

        @Override
        public String toString() {
            return "ImageUrl[" + (url.length() > 48 ? url.substring(0, 48) + "…(" + url.length() + " chars)" : url)
                    + "]";
        }
    }

    /** A text part. */
    static ContentPart text(String text) {
        return new Text(text);
    }

    /** An image part with a URL. */
    static ContentPart imageUrl(String url) {
        return new ImageUrl(url);
    }

    /** An image part carrying the bytes inline as {@code data:<mimeType>;base64,…}. */
    static ContentPart imageData(String mimeType, byte[] bytes) {
        return new ImageUrl("data:" + mimeType + ";base64," + Base64.getEncoder().encodeToString(bytes));
    }
}
