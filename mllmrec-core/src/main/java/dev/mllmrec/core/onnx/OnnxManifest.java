package dev.mllmrec.core.onnx;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.mllmrec.core.Json;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an exported ONNX model is and how to feed it, written beside it as {@code model.json}: the kind of model,
 * every input and output with its shape and meaning, and the vocabulary the inputs index (the item ids of a SASRec
 * model, the tokenizer file and prompt style of a policy).
 *
 * @param format       {@link #FORMAT}
 * @param kind         {@link #SASREC} or {@link #POLICY}
 * @param name         the model's report name ({@code sasrec}, {@code sft}, {@code grpo})
 * @param model        the ONNX file, relative to the manifest's directory
 * @param opset        the default-domain operator set the graph uses
 * @param inputs       the graph's inputs in order
 * @param outputs      the graph's outputs
 * @param items        SASRec: the vocabulary's item ids in ascending order; item {@code items[i]} has dense index
 *                     {@code i + 1} and index 0 is padding; {@code null} for a policy
 * @param maxLength    SASRec: the most recent items the model reads; a policy: its context length
 * @param tokenizer    a policy: its {@code tokenizer.json}, relative to the manifest's directory; {@code null} for
 *                     SASRec
 * @param promptStyle  a policy: the prompt style it was trained on ({@code compact} or {@code reference})
 * @param padId        a policy: the token id used for padding (masked)
 * @param source       the checkpoint directory the model was exported from
 * @param provenance   free-form facts about the source model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OnnxManifest(String format, String kind, String name, String model, int opset, List<Tensor> inputs,
                           List<Tensor> outputs, int[] items, int maxLength, String tokenizer, String promptStyle,
                           Integer padId, String source, Map<String, Object> provenance) {

    /** The manifest format written by this version. */
    public static final String FORMAT = "mllmrec-onnx/1";
    /** The manifest's file name in an export directory. */
    public static final String FILE = "model.json";
    /** The ONNX file's name in an export directory. */
    public static final String MODEL_FILE = "model.onnx";
    /** The kind of a SASRec export. */
    public static final String SASREC = "sasrec";
    /** The kind of a policy (likelihood ranking) export. */
    public static final String POLICY = "policy";

    /**
     * One input or output.
     *
     * @param name    its name in the graph
     * @param type    {@code int64} or {@code float32}
     * @param shape   each dimension a size or a symbolic name of a dynamic axis
     * @param meaning what it holds
     */
    public record Tensor(String name, String type, List<Object> shape, String meaning) {
    }

    /** Validates the required fields. */
    public OnnxManifest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        provenance = provenance == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(provenance));
    }

    /** Writes {@code dir/model.json} atomically. */
    public void write(Path dir) {
        Json.writePretty(dir.resolve(FILE), this);
    }

    /**
     * Reads {@code dir/model.json}.
     *
     * @throws IllegalArgumentException naming the file when it is missing or of another format
     */
    public static OnnxManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No ONNX export in " + dir + ": " + FILE
                    + " is missing; run export-onnx first.");
        }
        OnnxManifest m;
        try {
            m = Json.read(file, OnnxManifest.class);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!FORMAT.equals(m.format())) {
            throw new IllegalArgumentException(file + " has format '" + m.format() + "', expected '" + FORMAT
                    + "'.");
        }
        if (!SASREC.equals(m.kind()) && !POLICY.equals(m.kind())) {
            throw new IllegalArgumentException(file + " has kind '" + m.kind() + "', expected '" + SASREC + "' or '"
                    + POLICY + "'.");
        }
        return m;
    }
}
