package dev.mllmrec.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The one Jackson configuration used for every file mllmrec writes: stable key order (so equal inputs give
 * byte-identical files), records supported, unknown properties tolerated on read (forward compatibility).
 *
 * <p>Thread-safe.
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** The shared mapper (compact output). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** One-line JSON for {@code value}, suitable for JSON Lines. */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /** Indented JSON for {@code value}, ending with a newline. */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /** Writes indented JSON atomically. */
    public static void writePretty(Path file, Object value) {
        AtomicFiles.write(file, pretty(value).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a JSON file into {@code type}. */
    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read JSON from " + file + ": " + e.getMessage(), e);
        }
    }
}
