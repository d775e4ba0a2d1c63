package dev.mllmrec.core.data;

import dev.mllmrec.api.InvalidDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a UTF-8 text file line by line with 1-based line numbers, strictly: bytes that are not valid UTF-8 are
 * reported (never replaced silently), a leading byte-order mark is dropped, {@code \r\n} and {@code \n} both end a
 * line, and an empty file is an error.
 *
 * <p>Thread-safe: stateless.
 */
public final class TextLines {

    /** Receives one decoded line. */
    @FunctionalInterface
    public interface LineSink {
        /** Accepts line {@code lineNo} (1-based) without its terminator. */
        void accept(long lineNo, String text);
    }

    private TextLines() {
    }

    /**
     * Reads every line of {@code file}. A line with invalid UTF-8 is reported as {@link SkipReason#BAD_ENCODING}
     * (thrown in strict mode, skipped in lenient mode).
     *
     * @throws InvalidDataException if the file is empty (always), or on bad encoding in strict mode
     * @throws UncheckedIOException if the file cannot be read
     */
    public static void read(Path file, DataIssues issues, LineSink sink) {
        byte[] bytes = readAll(file);
        if (bytes.length == 0) {
            throw new InvalidDataException(file.toString(), 0, null, "the file is empty");
        }
        int pos = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            pos = 3;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        long lineNo = 0;
        while (pos < bytes.length) {
            int nl = pos;
            while (nl < bytes.length && bytes[nl] != '\n') {
                nl++;
            }
            int end = nl;
            if (end > pos && bytes[end - 1] == '\r') {
                end--;
            }
            lineNo++;
            String text = decode(file, lineNo, bytes, pos, end, decoder, issues);
            if (text != null) {
                sink.accept(lineNo, text);
            }
            pos = nl + 1;
        }
    }

    private static String decode(Path file, long lineNo, byte[] bytes, int from, int to, CharsetDecoder decoder,
                                 DataIssues issues) {
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        decoder.reset();
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int bad = in.position();
            int len = Math.max(1, result.length());
            StringBuilder hex = new StringBuilder();
            for (int i = bad; i < Math.min(to, bad + len); i++) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "0x%02X", bytes[i] & 0xff));
            }
            String shown = new String(bytes, from, to - from, StandardCharsets.UTF_8);
            issues.report(SkipReason.BAD_ENCODING, new InvalidDataException(file.toString(), lineNo, shown,
                    "is not valid UTF-8 (byte " + hex + " at byte " + (bad - from + 1)
                            + " of the line); save the file as UTF-8"));
            return null;
        }
        out.flip();
        return out.toString();
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("File " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
