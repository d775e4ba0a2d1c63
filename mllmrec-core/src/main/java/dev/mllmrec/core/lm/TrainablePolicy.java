package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/**
 * A {@link PolicyModel} that the trainers (SFT, GRPO) can fine-tune in place and checkpoint: the built-in
 * {@link CausalLm} (every weight trains) and a pretrained {@code HfDecoder} (with LoRA adapters attached, the
 * adapters alone train). The trainers see nothing else of a model, so either one runs through the same SFT and
 * GRPO code.
 *
 * <p>{@link #parameters()} are what the optimizer updates; {@link #saveTrainable} writes exactly that state (plus
 * what is needed to check it fits) into a checkpoint directory, as flat files, and {@link #loadTrainable} reads it
 * back into a model of the same {@link #signature()}, so a resumed run continues bit for bit.
 *
 * <p>Thread safety as {@link PolicyModel}: training is single-threaded.
 */
public interface TrainablePolicy extends PolicyModel {

    /**
     * {@link #hidden(NDArray, NDArray, NDArray, KvCache)} for training, with {@code dropout} (may be {@code null})
     * applied where the model applies dropout (the built-in model: embeddings and every sub-layer's output; a LoRA
     * model: every adapter's input).
     */
    NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache, Dropout dropout);

    /**
     * The logits of chosen tokens only: {@code hidden (n, d)} and token ids {@code (n, m)} give {@code (n, m)}, the
     * matching entries of {@link #logits} (a sampled softmax).
     */
    NDArray logitsOf(NDArray hidden, NDArray tokens);

    /**
     * The logits of one shared set of tokens: {@code hidden (n, d)} and token ids {@code (m)} give {@code (n, m)},
     * the matching columns of {@link #logits} (a shared sampled softmax).
     */
    NDArray logitsOver(NDArray hidden, NDArray tokens);

    /**
     * Opens a forward-and-backward pass in {@code m}: until the returned pass is closed, the model may compute once
     * and share what every call of the pass would otherwise compute again from the same weights (the built-in model:
     * the items' projected content, {@link CausalLm#forwardPass}). A trainer opens one around each
     * forward-and-backward pass, with no weight update inside it; the default shares nothing.
     */
    default ForwardPass forwardPass(NDManager m) {
        return ForwardPass.NONE;
    }

    /** A forward-and-backward pass opened by {@link #forwardPass}; closing it ends the sharing. */
    interface ForwardPass extends AutoCloseable {
        /** A pass that shares nothing. */
        ForwardPass NONE = () -> { };

        @Override
        void close();
    }

    /** The number of trainable scalars (of {@link #parameters()}). */
    long parameterCount();

    /**
     * A one-line description of the model and of the shape of its trainable state; a checkpoint's trainable state
     * loads into a policy whose signature is equal. Recorded in checkpoint states.
     */
    String signature();

    /**
     * The built-in model's config, recorded in checkpoint states (checkpoints written before {@link #signature()}
     * existed are matched by it), or {@code null} for other models.
     */
    default LmConfig lmConfig() {
        return null;
    }

    /**
     * Writes the trainable state into {@code dir} (an existing directory, as regular files directly inside it, each
     * written atomically): the built-in model's config and weights; a LoRA model's adapters, their config and the
     * base's fingerprint and location.
     */
    void saveTrainable(Path dir);

    /**
     * Overwrites the trainable state with the one {@link #saveTrainable} wrote into {@code dir}.
     *
     * @throws IllegalArgumentException when it does not fit this model (another shape, another base), naming why
     */
    void loadTrainable(Path dir);
}
