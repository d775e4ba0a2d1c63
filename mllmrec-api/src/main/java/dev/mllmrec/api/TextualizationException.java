package dev.mllmrec.api;

/** An image could not be described: corrupt, too large, unsupported, or the back end failed. */
public class TextualizationException extends Exception {

    /** With a full-sentence message. */
    public TextualizationException(String message) {
        super(message);
    }

    /** With a full-sentence message and a cause. */
    public TextualizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
