package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * A causal language model as generation, scoring and training see it: token ids in, hidden states and next-token
 * logits out, with an optional {@link KvCache}. {@link CausalLm} is the built-in implementation; a pretrained DJL
 * model can implement it too.
 *
 * <p>Conventions: {@code tokens} and {@code positions} are {@code int64 (batch, time)}; {@code keyMask} is
 * {@code (batch, time)} with 1 for a real token and 0 for padding ({@code null}: all real). A query attends to the
 * cached keys and to the new keys at or before its own time step, never to masked keys. Results are attached to
 * the manager of {@code tokens}, so a caller that creates its inputs in a per-step sub-manager frees everything by
 * closing it.
 *
 * <p>Inference methods may run on several threads at once while no training step runs; training is
 * single-threaded.
 */
public interface PolicyModel extends AutoCloseable {

    /** The number of token ids. */
    int vocabSize();

    /** The longest sequence the model accepts. */
    int contextLength();

    /** The manager that owns the parameters. */
    NDManager manager();

    /** An empty cache for {@code batchSize} rows, owned by a sub-manager of {@code manager}. */
    KvCache newCache(NDManager manager, int batchSize);

    /** Final hidden states {@code (batch, time, dModel)}; appends to {@code cache} when it is not {@code null}. */
    NDArray hidden(NDArray tokens, NDArray positions, NDArray keyMask, KvCache cache);

    /** Next-token logits {@code (..., vocabSize)} of hidden states {@code (..., dModel)}. */
    NDArray logits(NDArray hidden);

    /** The trainable parameters by stable name, in a fixed order. */
    Map<String, NDArray> parameters();

    /** Releases the parameters. */
    @Override
    void close();
}
