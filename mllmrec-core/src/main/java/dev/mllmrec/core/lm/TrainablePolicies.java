package dev.mllmrec.core.lm;

import dev.mllmrec.core.lm.hf.HfDecoder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the policy that a checkpoint directory holds, whichever kind it is: the built-in {@link CausalLm}
 * ({@code config.json} and {@code model.params}) or LoRA adapters of a pretrained {@link HfDecoder}
 * ({@code adapter_config.json}, {@code adapter_model.safetensors} and {@code base_model.json}, which names the base
 * folder).
 *
 * <p>Thread-safe: stateless.
 */
public final class TrainablePolicies {

    private TrainablePolicies() {
    }

    /** Whether {@code dir} holds LoRA adapters of a pretrained decoder (rather than a built-in model). */
    public static boolean isAdapterCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(HfDecoder.ADAPTER_CONFIG));
    }

    /**
     * The policy in {@code dir}, ready to train further (the caller closes it).
     *
     * @param baseModel the base folder of an adapter checkpoint, or {@code null} for the one it records
     * @throws IllegalArgumentException when an adapter checkpoint's base cannot be found or is another model
     */
    public static TrainablePolicy load(Path dir, Path baseModel) {
        if (!isAdapterCheckpoint(dir)) {
            if (baseModel != null) {
                throw new IllegalArgumentException(dir + " holds a built-in policy, not LoRA adapters: it needs no "
                        + "base model (" + baseModel + ").");
            }
            return CausalLm.load(dir);
        }
        Path base = baseModel != null ? baseModel : HfDecoder.baseFolderOf(dir);
        if (base == null) {
            throw new IllegalArgumentException("The adapters in " + dir + " record no base model folder: pass the "
                    + "base with --base-model DIR.");
        }
        if (!Files.isRegularFile(base.resolve("config.json"))) {
            throw new IllegalArgumentException("The base model folder " + base + " of the adapters in " + dir
                    + " has no config.json" + (baseModel == null ? " (it may have moved: pass --base-model DIR)" : "")
                    + ".");
        }
        HfDecoder model = HfDecoder.load(base);
        try {
            model.loadAdapters(dir);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
