package dev.mllmrec.grpo.train;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.ParameterFiles;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.optim.AdamState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of a GRPO run under a root such as {@code W/checkpoints/grpo}:
 *
 * <pre>
 * root/latest/config.json        the policy's LmConfig   (CausalLm.load reads the directory)
 * root/latest/model.params       the weights
 *   (a pretrained decoder with LoRA: adapter_model.safetensors, adapter_config.json, base_model.json instead)
 * root/latest/tokenizer.json     the tokenizer
 * root/latest/optimizer.params   Adam's moments (m.<name>, v.<name>)
 * root/latest/state.json         GrpoState: step, prompt order and cursor, RNG state, history, config
 * root/latest/checksums.json     the SHA-256 of every file above (CheckpointDigest), checked on every load
 * root/best/...                  the same files (no optimizer) for the best validation so far
 * root/previous-latest/...       the checkpoint that {@code latest} replaced, the fallback when it is damaged
 * </pre>
 *
 * A checkpoint is written into a temporary directory, then renamed into place: the previous one is first renamed
 * to {@code .old-<name>} and kept as {@code previous-<name>} after the swap. A run killed at any moment leaves a complete checkpoint:
 * {@link #recover} puts an orphaned {@code .old-<name>} back and removes temporary directories.
 *
 * <p>Thread-safe: stateless (one writer per root).
 */
public final class GrpoCheckpoints {

    /** The checkpoint that resumes a run. */
    public static final String LATEST = "latest";
    /** The checkpoint with the best validation metric. */
    public static final String BEST = "best";
    /** The tokenizer file inside a checkpoint. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** The optimizer file inside a checkpoint. */
    public static final String OPTIMIZER_FILE = "optimizer.params";
    /** The state file inside a checkpoint. */
    public static final String STATE_FILE = "state.json";

    private static final String TMP = ".tmp-";
    private static final String OLD = ".old-";
    /** The prefix of the checkpoint that a save replaced. */
    public static final String PREVIOUS = "previous-";
    private static final Logger LOG = LoggerFactory.getLogger(GrpoCheckpoints.class);

    private GrpoCheckpoints() {
    }

    /**
     * The complete and intact checkpoint {@code name} under {@code root}, after {@link #recover}. When
     * {@code name} fails its checksums ({@link CheckpointDigest}) and the checkpoint it replaced is intact, that
     * one is returned with a warning naming both.
     *
     * @throws CorruptCheckpointException when {@code name} is damaged and no intact predecessor exists
     */
    public static Optional<Path> find(Path root, String name) {
        recover(root);
        Path dir = root.resolve(name);
        if (!Files.isRegularFile(dir.resolve(STATE_FILE))) {
            return Optional.empty();
        }
        Optional<CorruptCheckpointException> problem = CheckpointDigest.check(dir);
        if (problem.isEmpty()) {
            return Optional.of(dir);
        }
        Path previous = root.resolve(PREVIOUS + name);
        if (Files.isRegularFile(previous.resolve(STATE_FILE)) && CheckpointDigest.isIntact(previous)) {
            LOG.warn("{} Using the newest intact checkpoint {} instead.", problem.get().getMessage(), previous);
            return Optional.of(previous);
        }
        throw problem.get();
    }

    /**
     * Reads a checkpoint's state, after checking the checkpoint's checksums.
     *
     * @throws CorruptCheckpointException naming the damaged file
     */
    public static GrpoState readState(Path checkpoint) {
        CheckpointDigest.verify(checkpoint);
        return Json.read(checkpoint.resolve(STATE_FILE), GrpoState.class);
    }

    /**
     * Reads a checkpoint's optimizer moments.
     *
     * @param steps the optimizer updates they came from (the state's {@link GrpoState#optimizerSteps()})
     */
    public static AdamState readOptimizer(Path checkpoint, long steps) {
        return new AdamState(steps, ParameterFiles.read(checkpoint.resolve(OPTIMIZER_FILE)));
    }

    /**
     * Writes checkpoint {@code name} atomically.
     *
     * @param optimizer the optimizer whose moments are saved, or {@code null} (no optimizer file)
     */
    public static Path save(Path root, String name, TrainablePolicy model, TextTokenizer tokenizer, Adam optimizer,
                            GrpoState state) {
        try {
            Files.createDirectories(root);
            recover(root);
            Path tmp = Files.createTempDirectory(root, TMP + name + "-");
            model.saveTrainable(tmp);
            tokenizer.save(tmp.resolve(TOKENIZER_FILE));
            if (optimizer != null) {
                ParameterFiles.write(tmp.resolve(OPTIMIZER_FILE), optimizer.state().moments());
            }
            Json.writePretty(tmp.resolve(STATE_FILE), state);
            CheckpointDigest.seal(tmp);
            Path dir = root.resolve(name);
            Path old = root.resolve(OLD + name);
            if (Files.exists(dir)) {
                AtomicFiles.moveDirectory(dir, old);
            }
            AtomicFiles.moveDirectory(tmp, dir);
            if (Files.exists(old)) {
                Path previous = root.resolve(PREVIOUS + name);
                AtomicFiles.deleteTree(previous);
                AtomicFiles.moveDirectory(old, previous);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint '" + name + "' under " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Repairs what a killed save can leave: an {@code .old-<name>} without {@code <name>} is renamed back, an
     * {@code .old-<name>} beside a complete {@code <name>} is deleted, and temporary directories are removed.
     */
    public static void recover(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.list(root)) {
            List<Path> entries = s.sorted().toList();
            for (Path p : entries) {
                String file = p.getFileName().toString();
                if (file.startsWith(TMP)) {
                    AtomicFiles.deleteTree(p);
                } else if (file.startsWith(OLD)) {
                    Path dir = root.resolve(file.substring(OLD.length()));
                    if (Files.isRegularFile(dir.resolve(STATE_FILE))) {
                        AtomicFiles.deleteTree(p);
                    } else {
                        AtomicFiles.deleteTree(dir);
                        AtomicFiles.moveDirectory(p, dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot repair checkpoints under " + root + ": " + e.getMessage(), e);
        }
    }
}
