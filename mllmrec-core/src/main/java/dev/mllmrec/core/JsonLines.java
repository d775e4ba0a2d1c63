package dev.mllmrec.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mllmrec.api.InvalidDataException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Lines files: one JSON value per line.
 *
 * <p>Reading tolerates exactly one kind of damage, the one {@code kill -9} can cause: a last line without its
 * newline is a torn append and is ignored (and truncated away by {@link Appender} before new appends). Any other
 * malformed line is an {@link InvalidDataException} naming the file and line.
 */
public final class JsonLines {

    private JsonLines() {
    }

    /** Reads every complete line of {@code file} as {@code type}; a missing file reads as empty. */
    public static <T> List<T> read(Path file, Class<T> type) {
        List<T> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            int end = completeLength(bytes);
            String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
            long lineNo = 0;
            try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        out.add(Json.mapper().readValue(line, type));
                    } catch (JsonProcessingException e) {
                        throw new InvalidDataException(file.toString(), lineNo, line,
                                "not a valid " + type.getSimpleName() + " JSON line: " + e.getOriginalMessage());
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes all values atomically, one per line. */
    public static void write(Path file, Iterable<?> values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            sb.append(Json.line(v)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static int completeLength(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        return end;
    }

    /** Opens an appender on {@code file}, first cutting off a torn last line left by a killed run. */
    public static Appender appender(Path file) {
        return new Appender(file);
    }

    /**
     * Appends whole lines durably: each {@link #append} writes one line in a single write call and forces it to
     * disk, so a crash loses at most the line being written, never an earlier one. Thread-safe.
     */
    public static final class Appender implements Closeable {
        private final Path file;
        private final FileChannel channel;

        private Appender(Path file) {
            this.file = file;
            try {
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                long size = channel.size();
                if (size > 0) {
                    byte[] all = Files.readAllBytes(file);
                    int complete = completeLength(all);
                    if (complete != all.length) {
                        channel.truncate(complete);
                    }
                }
                channel.position(channel.size());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open " + file + " for appending: " + e.getMessage(), e);
            }
        }

        /** Appends one value as one line and forces it to disk. */
        public synchronized void append(Object value) {
            appendRaw(Json.line(value));
        }

        /** Appends one already-serialised JSON line and forces it to disk. */
        public synchronized void appendRaw(String jsonLine) {
            ByteBuffer buf = ByteBuffer.wrap((jsonLine + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot append to " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot close " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
