package dev.mllmrec.core.data;

import dev.mllmrec.core.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Everything that determines a set of recommendation samples. Equal configs give byte-identical samples; the
 * {@link #key()} names their cache folder, so a different config never reuses another's samples.
 *
 * @param dataset     the dataset name
 * @param fingerprint the dataset fingerprint ({@link Dataset#fingerprint()})
 * @param split       the split
 * @param history     the maximum history length
 * @param negatives   the number of negatives per sample
 * @param sampler     the negative-sampling strategy
 * @param seed        the seed every sample's random stream derives from
 */
public record SamplingConfig(String dataset, String fingerprint, Split split, int history, int negatives,
                             NegativeSampler sampler, long seed) {

    /** Bumped whenever the sample-generation algorithm changes, so old caches are never reused. */
    public static final int FORMAT_VERSION = 1;

    /** Validates. */
    public SamplingConfig {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(sampler, "sampler");
        if (history < 1) {
            throw new IllegalArgumentException("The history length must be at least 1, got " + history + ".");
        }
        if (negatives < 1) {
            throw new IllegalArgumentException("The number of negatives must be at least 1, got " + negatives + ".");
        }
    }

    /** The same config for another split and number of negatives. */
    public SamplingConfig with(Split split, int negatives) {
        return new SamplingConfig(dataset, fingerprint, split, history, negatives, sampler, seed);
    }

    /**
     * The cache key: {@code <split>-neg<m>-<16 hex digits of SHA-256 over the config and format version>}, for
     * example {@code test-neg9-3f2a...}; readable and collision-safe.
     */
    public String key() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("v" + FORMAT_VERSION + "\n" + Json.line(this)).getBytes(StandardCharsets.UTF_8));
            return split.id() + "-neg" + negatives + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available.", e);
        }
    }
}
