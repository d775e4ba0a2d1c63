package dev.mllmrec.core.lm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Loads a {@code tokenizer.json} with the fastest implementation that reads it exactly. */
public final class TextTokenizers {

    private TextTokenizers() {
    }

    /**
     * A {@link WordTokenizer} when the file is in its format (pure-Java encoding, identical ids), otherwise an
     * {@link HfTextTokenizer} through DJL.
     */
    public static TextTokenizer load(Path file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
        return WordTokenizer.isWordTokenizerJson(root) ? WordTokenizer.load(file) : HfTextTokenizer.load(file);
    }
}
