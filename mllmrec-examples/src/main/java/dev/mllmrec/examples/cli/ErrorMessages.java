package dev.mllmrec.examples.cli;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.WorkDirLock;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The command line's one-line error messages for failures that are the user's to fix: bad input, damaged or
 * truncated files, a full disk, a work directory in use. Anything else is a bug and keeps its stack trace.
 *
 * <p>Thread-safe: stateless.
 */
final class ErrorMessages {

    /** The longest message printed. */
    static final int MAX_CHARS = 600;

    private ErrorMessages() {
    }

    /** The one-line message for {@code error}, or empty when it is not the user's to fix. */
    static Optional<String> userMessage(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (isDiskFull(t)) {
                String file = t instanceof FileSystemException fs && fs.getFile() != null ? " while writing "
                        + fs.getFile() : "";
                return Optional.of(oneLine("the disk is full" + file + " (" + outermost(error) + "); free some"
                        + " space or use a --work-dir on another disk, then run the command again: it resumes"
                        + " where it stopped."));
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof CorruptCheckpointException || t instanceof WorkDirLock.InUseException
                    || t instanceof InvalidDataException || t instanceof CommandLine.ParameterException) {
                return Optional.of(oneLine(t.getMessage()));
            }
            if (t instanceof EOFException) {
                return Optional.of(oneLine(outermost(error) + " (the file ends early: it is truncated; write it"
                        + " again with the command that made it)"));
            }
        }
        if (error instanceof IllegalArgumentException || error instanceof UncheckedIOException
                || error instanceof IOException) {
            return Optional.of(oneLine(error.getMessage()));
        }
        return Optional.empty();
    }

    private static boolean isDiskFull(Throwable t) {
        String m = t.getMessage();
        return m != null && (t instanceof IOException || t instanceof UncheckedIOException)
                && m.toLowerCase(Locale.ROOT).contains("no space left on device");
    }

    private static String outermost(Throwable error) {
        String m = error.getMessage();
        return m == null ? error.getClass().getSimpleName() : m;
    }

    /** {@code message} on one line, at most {@link #MAX_CHARS} characters; never {@code "null"}. */
    static String oneLine(String message) {
        String m = message == null ? "unknown error" : message.replaceAll("\\s+", " ")
                .replaceAll(": null(?=$| \\()", "").strip();
        return m.length() > MAX_CHARS ? m.substring(0, MAX_CHARS) + "…" : m;
    }
}
