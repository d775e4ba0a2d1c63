package dev.mllmrec.api;

/** A reasoning text could not be produced. */
public class CotGenerationException extends Exception {

    /** With a full-sentence message. */
    public CotGenerationException(String message) {
        super(message);
    }

    /** With a full-sentence message and a cause. */
    public CotGenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
