package dev.mllmrec.core.data;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Recommendation samples cached under the work directory, one folder per {@link SamplingConfig#key()}:
 *
 * <pre>
 * W/samples/&lt;split&gt;-neg&lt;m&gt;-&lt;hash&gt;/samples.jsonl   one RecommendationSample per line
 * W/samples/&lt;split&gt;-neg&lt;m&gt;-&lt;hash&gt;/config.json    the manifest: key, config, sample count, SHA-256 of samples.jsonl
 * </pre>
 *
 * <p>The manifest is written last, so a folder without one (a killed run) is rebuilt. A cache entry is reused only
 * when its manifest holds the same config and the samples file still has the recorded hash.
 *
 * <p>Thread-safe for distinct configs; two threads building the same config write identical bytes.
 */
public final class SampleCache {

    /** The samples file name. */
    public static final String SAMPLES = "samples.jsonl";
    /** The manifest file name. */
    public static final String MANIFEST = "config.json";

    /**
     * The manifest of one cache entry.
     *
     * @param key     the cache key
     * @param config  the config
     * @param samples the number of samples
     * @param sha256  the SHA-256 of {@code samples.jsonl}
     */
    public record Manifest(String key, SamplingConfig config, int samples, String sha256) {
    }

    /**
     * Samples with where they came from.
     *
     * @param samples   the samples
     * @param directory the cache folder
     * @param reused    whether they were read from the cache rather than generated
     */
    public record Entry(List<RecommendationSample> samples, Path directory, boolean reused) {
    }

    private final WorkDir workDir;

    /** A cache in {@code workDir}. */
    public SampleCache(WorkDir workDir) {
        this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /** {@code W/samples/<key>}. */
    public Path directory(SamplingConfig config) {
        return workDir.samples().resolve(config.key());
    }

    /** {@code W/samples/<key>/samples.jsonl}. */
    public Path samplesFile(SamplingConfig config) {
        return directory(config).resolve(SAMPLES);
    }

    /**
     * The manifest of {@code config}'s entry if the entry is complete and intact: its manifest holds this config and
     * the samples file still has the recorded hash. Does not parse the samples.
     */
    public Optional<Manifest> verify(SamplingConfig config) {
        Path dir = directory(config);
        Path manifestFile = dir.resolve(MANIFEST);
        Path samplesFile = dir.resolve(SAMPLES);
        if (!Files.exists(manifestFile) || !Files.exists(samplesFile)) {
            return Optional.empty();
        }
        try {
            Manifest manifest = Json.mapper().readValue(manifestFile.toFile(), Manifest.class);
            if (!config.equals(manifest.config())
                    || !sha256(Files.readAllBytes(samplesFile)).equals(manifest.sha256())) {
                return Optional.empty();
            }
            return Optional.of(manifest);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The cached samples of {@code config}, if a complete, matching entry exists. */
    public Optional<List<RecommendationSample>> load(SamplingConfig config) {
        Optional<Manifest> manifest = verify(config);
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        List<RecommendationSample> samples = JsonLines.read(samplesFile(config), RecommendationSample.class);
        if (samples.size() != manifest.get().samples()) {
            return Optional.empty();
        }
        return Optional.of(samples);
    }

    /** Writes samples and then the manifest, atomically each. */
    public void store(SamplingConfig config, List<RecommendationSample> samples) {
        StringBuilder sb = new StringBuilder(samples.size() * 120);
        for (RecommendationSample s : samples) {
            sb.append(Json.line(s)).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        Path dir = directory(config);
        AtomicFiles.write(dir.resolve(SAMPLES), bytes);
        Json.writePretty(dir.resolve(MANIFEST), new Manifest(config.key(), config, samples.size(), sha256(bytes)));
    }

    /** The cached samples of {@code config}, or those of {@code generator}, stored first. */
    public Entry getOrCreate(SamplingConfig config, Supplier<List<RecommendationSample>> generator) {
        Optional<List<RecommendationSample>> cached = load(config);
        if (cached.isPresent()) {
            return new Entry(cached.get(), directory(config), true);
        }
        List<RecommendationSample> samples = List.copyOf(generator.get());
        store(config, samples);
        return new Entry(samples, directory(config), false);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available.", e);
        }
    }
}
