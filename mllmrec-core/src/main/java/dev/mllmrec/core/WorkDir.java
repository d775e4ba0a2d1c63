package dev.mllmrec.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The layout of a work directory, shared by every pipeline stage. Each stage reads the files of the stages before
 * it and writes its own; every path is derived here so that stages agree.
 *
 * <pre>
 * W/catalog.jsonl            Item records of the kept catalog (written by prepare)
 * W/sequences.jsonl          UserHistory records: each user's full chronological sequence (prepare)
 * W/prepare/summary.json     prepare's summary, including its config and seed
 * W/samples/&lt;key&gt;/...        RecommendationSample JSON Lines, keyed by the sampling config (prepare, evaluate)
 * W/captions.jsonl           captions (textualize)
 * W/cot.jsonl ...            chain-of-thought files (build-cot, assess, augment)
 * W/checkpoints/&lt;model&gt;/    model checkpoints (train-sft, train-sasrec, train-grpo)
 * W/eval/&lt;model&gt;-neg&lt;m&gt;-&lt;split&gt;.json   evaluation summaries (evaluate)
 * W/&lt;command&gt;/summary.json  each command's machine-readable summary
 * </pre>
 *
 * @param root the work directory
 */
public record WorkDir(Path root) {

    /** Validates. */
    public WorkDir {
        Objects.requireNonNull(root, "root");
    }

    /** A work directory at {@code path}. */
    public static WorkDir of(Path path) {
        return new WorkDir(path.toAbsolutePath().normalize());
    }

    /** {@code W/catalog.jsonl}. */
    public Path catalog() {
        return root.resolve("catalog.jsonl");
    }

    /** {@code W/sequences.jsonl}. */
    public Path sequences() {
        return root.resolve("sequences.jsonl");
    }

    /** {@code W/samples}. */
    public Path samples() {
        return root.resolve("samples");
    }

    /** {@code W/captions.jsonl}. */
    public Path captions() {
        return root.resolve("captions.jsonl");
    }

    /** {@code W/checkpoints/<model>}. */
    public Path checkpoints(String model) {
        return root.resolve("checkpoints").resolve(model);
    }

    /** {@code W/eval}. */
    public Path eval() {
        return root.resolve("eval");
    }

    /** {@code W/<command>}, the directory for a command's own outputs. */
    public Path commandDir(String command) {
        return root.resolve(command);
    }

    /** {@code W/<command>/summary.json}. */
    public Path summary(String command) {
        return commandDir(command).resolve("summary.json");
    }
}
