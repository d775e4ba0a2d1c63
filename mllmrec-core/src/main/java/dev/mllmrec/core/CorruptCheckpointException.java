package dev.mllmrec.core;

import java.nio.file.Path;

/**
 * A checkpoint file that is missing, truncated or whose bytes no longer match the checksum recorded when it was
 * written. The message is one line that names the file and says what to do.
 */
public final class CorruptCheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** A damaged {@code file}, described by {@code message}. */
    public CorruptCheckpointException(Path file, String message) {
        super(message);
        this.file = file;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }
}
