package dev.mllmrec.core.embed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.text.Normalizer;

/**
 * A TF-IDF bag-of-words encoder, the fallback when no pretrained sentence encoder is available. Words are
 * lower-cased, accent-folded, split on non-alphanumerics, stop words dropped and a plural {@code s} stripped; each
 * word is hashed into a fixed number of buckets (collisions are rare at the default size), weighted by
 * {@code (1 + log tf) * idf} with the smoothed idf {@code log((1 + N) / (1 + df)) + 1} of the corpus given to
 * {@link #fit}, and the vector is L2-normalised. Words unseen in the corpus get the largest idf.
 *
 * <p>Thread-safe: immutable once fitted.
 */
public final class TfIdfEncoder implements TextEncoder {

    /** The default number of hash buckets. */
    public static final int DEFAULT_DIMENSION = 1 << 14;

    private static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "from", "as", "is",
            "are", "be", "was", "were", "it", "its", "this", "that", "these", "those", "their", "his", "her", "he",
            "she", "they", "them", "we", "you", "i", "user", "users", "item", "items", "next", "likely", "step",
            "should", "would", "will", "more", "most", "than", "very", "into", "about", "which", "who", "has",
            "have", "had", "not", "no", "but", "so", "such", "s", "criteria", "retrieval", "genre", "genres");

    private final int dimension;
    private final Map<String, Double> idf;
    private final double unseenIdf;

    private TfIdfEncoder(int dimension, Map<String, Double> idf, double unseenIdf) {
        this.dimension = dimension;
        this.idf = idf;
        this.unseenIdf = unseenIdf;
    }

    /** Fits the idf weights on {@code corpus} (for example every catalog item's text) with the default dimension. */
    public static TfIdfEncoder fit(Collection<String> corpus) {
        return fit(corpus, DEFAULT_DIMENSION);
    }

    /** Fits the idf weights on {@code corpus}, hashing words into {@code dimension} buckets. */
    public static TfIdfEncoder fit(Collection<String> corpus, int dimension) {
        if (dimension <= 0) {
            throw new IllegalArgumentException("The TF-IDF dimension must be positive, got " + dimension + ".");
        }
        Map<String, Integer> df = new HashMap<>();
        for (String doc : corpus) {
            for (String w : Set.copyOf(tokens(doc))) {
                df.merge(w, 1, Integer::sum);
            }
        }
        int n = corpus.size();
        Map<String, Double> idf = new HashMap<>();
        df.forEach((w, d) -> idf.put(w, Math.log((1.0 + n) / (1.0 + d)) + 1.0));
        return new TfIdfEncoder(dimension, Map.copyOf(idf), Math.log(1.0 + n) + 1.0);
    }

    /** The normalised word tokens of {@code text} (package-private for tests). */
    static List<String> tokens(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (String w : folded.split("[^\\p{Alnum}]+")) {
            if (w.isEmpty() || STOP_WORDS.contains(w)) {
                continue;
            }
            if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) {
                w = w.substring(0, w.length() - 1);
            }
            out.add(w);
        }
        return out;
    }

    @Override
    public String id() {
        return "tfidf-" + dimension;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[][] encode(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            out[i] = encodeOne(texts.get(i));
        }
        return out;
    }

    private float[] encodeOne(String text) {
        Map<String, Integer> tf = new HashMap<>();
        for (String w : tokens(text)) {
            tf.merge(w, 1, Integer::sum);
        }
        float[] v = new float[dimension];
        tf.forEach((w, c) -> {
            int bucket = Math.floorMod(w.hashCode() * 0x9E3779B1, dimension);
            v[bucket] += (float) ((1.0 + Math.log(c)) * idf.getOrDefault(w, unseenIdf));
        });
        return TextEncoder.normalize(v);
    }
}
