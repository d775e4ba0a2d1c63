package dev.mllmrec.grpo.train;

import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.optim.AdamState;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The checkpoints of a GRPO run under a root such as {@code W/checkpoints/grpo}, in {@link CheckpointStore}'s
 * layout (the one SFT uses):
 *
 * <pre>
 * root/step-00000040/config.json        the policy's LmConfig   (CausalLm.load reads the directory)
 * root/step-00000040/model.params       the weights
 *   (a pretrained decoder with LoRA: adapter_model.safetensors, adapter_config.json, base_model.json instead)
 * root/step-00000040/tokenizer.json     the tokenizer
 * root/step-00000040/optimizer.params   Adam's moments (m.<name>, v.<name>)
 * root/step-00000040/state.json         GrpoState: step, prompt order and cursor, RNG state, history, config
 * root/step-00000040/checksums.json     the SHA-256 of every file above (CheckpointDigest), checked on every load
 * root/latest.json                      the checkpoint a run resumes from
 * root/best.json                        the checkpoint with the best validation so far
 * </pre>
 *
 * The newest {@link #KEEP} step directories are kept besides the ones the pointers name, so a damaged latest
 * checkpoint falls back to the one before it. Work directories written before this layout (named directories
 * {@code latest/}, {@code best/}, {@code previous-latest/}) still load and resume ({@link CheckpointStore#find}).
 *
 * <p>Thread-safe: stateless (one writer per root).
 */
public final class GrpoCheckpoints {

    /** The checkpoint that resumes a run. */
    public static final String LATEST = CheckpointStore.LATEST;
    /** The checkpoint with the best validation metric. */
    public static final String BEST = CheckpointStore.BEST;
    /** The tokenizer file inside a checkpoint. */
    public static final String TOKENIZER_FILE = SftCheckpoint.TOKENIZER_FILE;
    /** The optimizer file inside a checkpoint. */
    public static final String OPTIMIZER_FILE = SftCheckpoint.OPTIMIZER_FILE;
    /** The state file inside a checkpoint. */
    public static final String STATE_FILE = CheckpointStore.STATE_FILE;
    /** Step directories kept besides those a pointer names. */
    public static final int KEEP = 2;

    private GrpoCheckpoints() {
    }

    /**
     * The complete and intact checkpoint {@code name} ({@link #LATEST} or {@link #BEST}) under {@code root}: see
     * {@link CheckpointStore#find}. A damaged latest checkpoint falls back to the newest intact one, with a warning
     * naming both.
     *
     * @throws CorruptCheckpointException when the checkpoint is damaged and no intact fallback exists
     */
    public static Optional<Path> find(Path root, String name) {
        return CheckpointStore.find(root, name);
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
        return SftCheckpoint.readOptimizer(checkpoint, steps);
    }

    /**
     * Writes the checkpoint of {@code state.step()} atomically and points {@code pointers} at it. A checkpoint of the
     * same step already there (the best one, saved at a validation just before the latest) is replaced.
     *
     * @param optimizer the optimizer whose moments are saved, or {@code null} (no optimizer file)
     */
    public static Path save(Path root, TrainablePolicy model, TextTokenizer tokenizer, Adam optimizer,
                            GrpoState state, String... pointers) {
        return CheckpointStore.save(root, state.step(), SftCheckpoint.files(model, tokenizer, optimizer, state), KEEP,
                pointers);
    }

    /** Repairs what a killed save can leave ({@link CheckpointStore#recover}). */
    public static void recover(Path root) {
        CheckpointStore.recover(root);
    }
}
