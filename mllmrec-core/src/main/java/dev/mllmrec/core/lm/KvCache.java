package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The keys and values a {@link PolicyModel} has computed for the tokens seen so far, one pair per layer, shaped
 * {@code (batch, heads, length, headSize)}, plus an additive bias per cached key ({@code 0} for a real token, a
 * large negative number for padding). A forward pass with a cache attends to the cached keys and appends its own,
 * so generation costs one token's work per step instead of re-running the prompt.
 *
 * <p>Owns native memory: close it. Not thread-safe.
 */
public final class KvCache implements AutoCloseable {

    /** The additive bias of a masked key: exp(-1e9) is exactly 0 in float, and no row ever becomes NaN. */
    public static final float MASKED = -1e9f;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray keyBias;
    private int batchSize;
    private int length;

    /**
     * An empty cache.
     *
     * @param parent    the manager whose sub-manager will own the cached arrays
     * @param layers    the model's number of layers
     * @param batchSize the number of rows
     */
    public KvCache(NDManager parent, int layers, int batchSize) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.batchSize = batchSize;
    }

    /** The number of rows. */
    public int batchSize() {
        return batchSize;
    }

    /** The number of cached positions. */
    public int length() {
        return length;
    }

    /** The manager that owns the cached arrays. */
    public NDManager manager() {
        return manager;
    }

    /** The cached keys' bias {@code (batch, length)}, or {@code null} while no cached key is masked. */
    public NDArray keyBias() {
        return keyBias;
    }

    /**
     * Appends one layer's new keys and values and returns the whole cached keys and values for that layer.
     * Called by the model during a forward pass, layer by layer; {@link #commit} ends the pass.
     */
    public NDList append(int layer, NDArray newKeys, NDArray newValues) {
        if (newKeys.getShape().get(0) != batchSize) {
            throw new IllegalArgumentException("The cache holds " + batchSize + " rows but the forward pass has "
                    + newKeys.getShape().get(0) + ".");
        }
        NDArray k = keys[layer] == null ? own(newKeys) : concatOwned(keys[layer], newKeys);
        NDArray v = values[layer] == null ? own(newValues) : concatOwned(values[layer], newValues);
        keys[layer] = k;
        values[layer] = v;
        return new NDList(k, v);
    }

    /**
     * Ends a forward pass over {@code newTokens} tokens whose key bias is {@code newKeyBias}
     * {@code (batch, newTokens)}, or {@code null} when none of them is masked. The bias is kept only once some
     * key is masked, so unpadded batches never pay for it.
     */
    public void commit(NDArray newKeyBias, int newTokens) {
        if (newKeyBias != null || keyBias != null) {
            NDManager m = newKeyBias != null ? newKeyBias.getManager() : manager;
            NDArray fresh = newKeyBias != null ? newKeyBias.toType(DataType.FLOAT32, false)
                    : m.zeros(new Shape(batchSize, newTokens), DataType.FLOAT32);
            if (keyBias == null) {
                keyBias = length == 0 ? own(fresh)
                        : concatOwned(manager.zeros(new Shape(batchSize, length), DataType.FLOAT32), fresh);
            } else {
                keyBias = concatOwned(keyBias, fresh);
            }
        }
        length += newTokens;
    }

    private NDArray own(NDArray a) {
        // duplicate() detaches from autograd; while gradients are recorded (a training pass that shares a prompt's
        // cache across its completions) the copy must stay in the graph, which a multiplication by one does.
        NDArray copy = JniUtils.isGradMode() ? Scalars.mul(a, 1f) : a.duplicate();
        copy.attach(manager);
        return copy;
    }

    private NDArray concatOwned(NDArray cached, NDArray fresh) {
        int axis = cached.getShape().dimension() == 4 ? 2 : 1;
        NDArray joined = NDArrays.concat(new NDList(cached, fresh), axis);
        joined.attach(manager);
        cached.close();
        return joined;
    }

    /**
     * Keeps only the given rows, in the given order (a row may repeat): to drop finished sequences or to fan a
     * prompt out to several continuations.
     */
    public void selectRows(int[] rows) {
        // The index lives as long as the cache: under autograd the gathers save it for the backward pass, and a
        // temporary index freed here let a later backward read freed memory ("index ... out of bounds").
        NDArray index = manager.create(toLongs(rows));
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l] = gatherRows(keys[l], index);
                values[l] = gatherRows(values[l], index);
            }
        }
        if (keyBias != null) {
            keyBias = gatherRows(keyBias, index);
        }
        batchSize = rows.length;
    }

    private NDArray gatherRows(NDArray a, NDArray index) {
        NDArray picked = a.get(new ai.djl.ndarray.index.NDIndex("{}", index));
        picked.attach(manager);
        a.close();
        return picked;
    }

    private static long[] toLongs(int[] rows) {
        long[] out = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i];
        }
        return out;
    }

    /** The shape of layer {@code l}'s keys, or {@code null} while empty. */
    Shape keyShape(int l) {
        return keys[l] == null ? null : keys[l].getShape();
    }

    @Override
    public void close() {
        manager.close();
    }
}
