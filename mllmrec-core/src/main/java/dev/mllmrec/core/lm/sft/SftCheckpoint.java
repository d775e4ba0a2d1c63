package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.ParameterFiles;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.optim.AdamState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of an SFT run, one directory per saved step under a checkpoint root:
 *
 * <pre>
 * root/latest.json                 {"checkpoint": "step-00000500", "step": 500}
 * root/step-00000500/config.json   the model's LmConfig     (CausalLm.load reads the directory)
 * root/step-00000500/model.params  the weights
 *   (a pretrained decoder with LoRA: adapter_model.safetensors, adapter_config.json and base_model.json instead,
 *    see TrainablePolicy#saveTrainable and TrainablePolicies#load)
 * root/step-00000500/tokenizer.json the tokenizer (Hugging Face format)
 * root/step-00000500/optimizer.params Adam's moments (m.<name>, v.<name>)
 * root/step-00000500/state.json    SftState: step, epoch, data position, RNG state, SftConfig, ...
 * root/step-00000500/checksums.json the SHA-256 of every file above (CheckpointDigest), checked on every load
 * </pre>
 *
 * A checkpoint is written into a temporary directory and renamed into place, then {@code latest.json} is replaced
 * atomically, so a run killed at any moment leaves the previous checkpoint intact.
 */
public final class SftCheckpoint {

    /** The tokenizer file inside a checkpoint. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** The optimizer file inside a checkpoint. */
    public static final String OPTIMIZER_FILE = "optimizer.params";
    /** The state file inside a checkpoint. */
    public static final String STATE_FILE = "state.json";
    /** The pointer file in the checkpoint root. */
    public static final String LATEST_FILE = "latest.json";

    private static final String PREFIX = "step-";
    private static final Logger LOG = LoggerFactory.getLogger(SftCheckpoint.class);

    private SftCheckpoint() {
    }

    /**
     * The newest complete and intact checkpoint directory under {@code root}, if any. A newer checkpoint whose
     * files fail their checksums ({@link CheckpointDigest}) is skipped with a warning that names it and the
     * checkpoint used instead.
     *
     * @throws CorruptCheckpointException when checkpoints exist but none is intact
     */
    public static Optional<Path> latest(Path root) {
        List<Path> candidates = new ArrayList<>();
        Path pointer = root.resolve(LATEST_FILE);
        if (Files.isRegularFile(pointer)) {
            Object name = null;
            try {
                name = Json.read(pointer, Map.class).get("checkpoint");
            } catch (UncheckedIOException e) {
                LOG.warn("Ignoring the unreadable pointer {}: looking for the newest checkpoint instead.", pointer);
            }
            if (name != null) {
                Path dir = root.resolve(name.toString());
                if (Files.isRegularFile(dir.resolve(STATE_FILE))) {
                    candidates.add(dir);
                }
            }
        }
        List<Path> all = new ArrayList<>(complete(root));
        java.util.Collections.reverse(all);
        for (Path p : all) {
            if (!candidates.contains(p)) {
                candidates.add(p);
            }
        }
        CorruptCheckpointException newest = null;
        for (Path dir : candidates) {
            Optional<CorruptCheckpointException> problem = CheckpointDigest.check(dir);
            if (problem.isEmpty()) {
                if (newest != null) {
                    LOG.warn("{} Using the newest intact checkpoint {} instead.", newest.getMessage(), dir);
                }
                return Optional.of(dir);
            }
            if (newest == null) {
                newest = problem.get();
            }
        }
        if (newest != null) {
            throw newest;
        }
        return Optional.empty();
    }

    /**
     * Reads a checkpoint's training state, after checking the checkpoint's checksums.
     *
     * @throws CorruptCheckpointException naming the damaged file
     */
    public static SftState readState(Path checkpoint) {
        CheckpointDigest.verify(checkpoint);
        return Json.read(checkpoint.resolve(STATE_FILE), SftState.class);
    }

    /**
     * Loads a checkpoint's model (the caller closes it), after checking the checkpoint's checksums.
     *
     * @throws CorruptCheckpointException naming the damaged file
     */
    public static CausalLm loadModel(Path checkpoint) {
        CheckpointDigest.verify(checkpoint);
        return CausalLm.load(checkpoint);
    }

    static AdamState readOptimizer(Path checkpoint, long steps) {
        return new AdamState(steps, ParameterFiles.read(checkpoint.resolve(OPTIMIZER_FILE)));
    }

    /** Writes a checkpoint for {@code state.step()} and prunes all but the newest {@code keep}. */
    static Path save(Path root, TrainablePolicy model, TextTokenizer tokenizer, Adam optimizer, SftState state, int keep) {
        try {
            Files.createDirectories(root);
            String name = String.format(Locale.ROOT, PREFIX + "%08d", state.step());
            Path tmp = Files.createTempDirectory(root, ".tmp-" + name + "-");
            model.saveTrainable(tmp);
            tokenizer.save(tmp.resolve(TOKENIZER_FILE));
            ParameterFiles.write(tmp.resolve(OPTIMIZER_FILE), optimizer.state().moments());
            Json.writePretty(tmp.resolve(STATE_FILE), state);
            CheckpointDigest.seal(tmp);
            Path dir = root.resolve(name);
            AtomicFiles.deleteTree(dir);
            AtomicFiles.moveDirectory(tmp, dir);
            AtomicFiles.writeString(root.resolve(LATEST_FILE),
                    Json.line(Map.of("checkpoint", name, "step", state.step())) + "\n");
            List<Path> all = complete(root);
            for (int i = 0; i < all.size() - keep; i++) {
                if (!all.get(i).equals(dir)) {
                    AtomicFiles.deleteTree(all.get(i));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a checkpoint under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Removes temporary directories left by a run killed while saving. */
    static void removeStale(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(".tmp-" + PREFIX)) {
                    AtomicFiles.deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clean " + root + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> complete(Path root) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }
}
