package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.ParameterFiles;
import dev.mllmrec.core.lm.TrainablePolicy;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.optim.AdamState;
import java.nio.file.Path;
import java.util.Optional;

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
 * The layout, the atomic save and the pruning are {@link CheckpointStore}'s, shared with GRPO: a checkpoint is
 * written into a temporary directory and renamed into place, then {@code latest.json} is replaced atomically, so a
 * run killed at any moment leaves the previous checkpoint intact.
 */
public final class SftCheckpoint {

    /** The tokenizer file inside a checkpoint. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** The optimizer file inside a checkpoint. */
    public static final String OPTIMIZER_FILE = "optimizer.params";
    /** The state file inside a checkpoint. */
    public static final String STATE_FILE = CheckpointStore.STATE_FILE;
    /** The pointer file in the checkpoint root. */
    public static final String LATEST_FILE = "latest.json";

    private SftCheckpoint() {
    }

    /**
     * The newest complete and intact checkpoint directory under {@code root}, if any ({@link CheckpointStore#find}
     * with {@link CheckpointStore#LATEST}). A newer checkpoint whose files fail their checksums
     * ({@link CheckpointDigest}) is skipped with a warning that names it and the checkpoint used instead.
     *
     * @throws CorruptCheckpointException when checkpoints exist but none is intact
     */
    public static Optional<Path> latest(Path root) {
        return CheckpointStore.find(root, CheckpointStore.LATEST);
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

    /**
     * Reads a checkpoint's optimizer moments.
     *
     * @param steps the optimizer updates they came from (the step count the checkpoint's state records)
     */
    public static AdamState readOptimizer(Path checkpoint, long steps) {
        return new AdamState(steps, ParameterFiles.read(checkpoint.resolve(OPTIMIZER_FILE)));
    }

    /**
     * The files of a policy checkpoint, SFT's or GRPO's: the trainable weights (or LoRA adapters), the tokenizer,
     * the optimizer's moments (none when {@code optimizer} is {@code null}) and the trainer's {@code state}.
     */
    public static CheckpointStore.Writer files(TrainablePolicy model, TextTokenizer tokenizer, Adam optimizer,
                                               Object state) {
        return dir -> {
            model.saveTrainable(dir);
            tokenizer.save(dir.resolve(TOKENIZER_FILE));
            if (optimizer != null) {
                ParameterFiles.write(dir.resolve(OPTIMIZER_FILE), optimizer.state().moments());
            }
            Json.writePretty(dir.resolve(STATE_FILE), state);
        };
    }

    /** Writes a checkpoint for {@code state.step()} and prunes all but the newest {@code keep}. */
    static Path save(Path root, TrainablePolicy model, TextTokenizer tokenizer, Adam optimizer, SftState state, int keep) {
        return CheckpointStore.save(root, state.step(), files(model, tokenizer, optimizer, state), keep,
                CheckpointStore.LATEST);
    }

    /** Removes temporary directories left by a run killed while saving. */
    static void removeStale(Path root) {
        CheckpointStore.recover(root);
    }
}
