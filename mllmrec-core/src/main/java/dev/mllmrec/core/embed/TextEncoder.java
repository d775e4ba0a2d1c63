package dev.mllmrec.core.embed;

import java.util.List;

/**
 * Turns texts into L2-normalised vectors of a fixed dimension, so that the dot product of two encodings is their
 * cosine similarity. Implementations say whether they are thread-safe; those holding native resources are closed.
 */
public interface TextEncoder extends AutoCloseable {

    /** A stable id recorded in assessment provenance, for example {@code minilm-l6-v2}. */
    String id();

    /** The length of every vector this encoder returns. */
    int dimension();

    /** Encodes a batch: one unit vector per input, in order (all-zero when an encoder finds nothing to encode). */
    float[][] encode(List<String> texts);

    /** Encodes one text. */
    default float[] encode(String text) {
        return encode(List.of(text))[0];
    }

    /** Releases native resources; the default holds none. */
    @Override
    default void close() {
    }

    /** The dot product of two vectors of equal length (their cosine when both are unit vectors). */
    static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("Vectors differ in length: " + a.length + " vs " + b.length + ".");
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Scales {@code v} in place to unit length; an all-zero vector stays zero. */
    static float[] normalize(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        if (n > 0) {
            float inv = (float) (1.0 / Math.sqrt(n));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }
}
