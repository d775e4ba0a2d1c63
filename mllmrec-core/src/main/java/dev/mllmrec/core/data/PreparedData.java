package dev.mllmrec.core.data;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import java.nio.file.Files;
import java.util.List;

/**
 * A work directory's prepared data, as later stages (training, evaluation) read it: the catalog, the sequences, the
 * preparation config, and the sample sets, each loaded from the {@link SampleCache} or regenerated identically when
 * absent (for example an unusual number of negatives).
 *
 * <p>Thread-safe: immutable once loaded ({@link #samples} may write a missing cache entry).
 */
public final class PreparedData {

    private final WorkDir workDir;
    private final PrepareSummary summary;
    private final Catalog catalog;
    private final List<UserHistory> sequences;
    private final String fingerprint;

    private PreparedData(WorkDir workDir, PrepareSummary summary, Catalog catalog, List<UserHistory> sequences,
                         String fingerprint) {
        this.workDir = workDir;
        this.summary = summary;
        this.catalog = catalog;
        this.sequences = sequences;
        this.fingerprint = fingerprint;
    }

    /**
     * Loads what {@code prepare} wrote into {@code workDir}.
     *
     * @throws IllegalArgumentException if prepare has not run there
     * @throws InvalidDataException     if the catalog or sequences no longer match the prepare summary
     */
    public static PreparedData load(WorkDir workDir) {
        var summaryFile = workDir.summary(DataPreparation.COMMAND);
        if (!Files.exists(summaryFile) || !Files.exists(workDir.catalog()) || !Files.exists(workDir.sequences())) {
            throw new IllegalArgumentException("The work directory " + workDir.root()
                    + " has no prepared data; run 'prepare' first.");
        }
        PrepareSummary summary = Json.read(summaryFile, PrepareSummary.class);
        if (summary.config() == null) {
            throw new InvalidDataException(summaryFile.toString(), 0, null, "the summary has no config");
        }
        List<Item> items = JsonLines.read(workDir.catalog(), Item.class);
        Catalog catalog = Catalog.of(summary.config().dataset(), items);
        List<UserHistory> sequences = JsonLines.read(workDir.sequences(), UserHistory.class);
        String fingerprint = Dataset.fingerprint(catalog, sequences);
        if (!fingerprint.equals(summary.fingerprint())) {
            throw new InvalidDataException(summaryFile.toString(), 0, null,
                    "catalog.jsonl or sequences.jsonl changed since prepare wrote this summary; run 'prepare' again");
        }
        return new PreparedData(workDir, summary, catalog, List.copyOf(sequences), fingerprint);
    }

    /** The work directory. */
    public WorkDir workDir() {
        return workDir;
    }

    /** The preparation settings. */
    public PrepareConfig config() {
        return summary.config();
    }

    /** The prepare summary. */
    public PrepareSummary summary() {
        return summary;
    }

    /** The catalog. */
    public Catalog catalog() {
        return catalog;
    }

    /** Every user's full chronological sequence. */
    public List<UserHistory> sequences() {
        return sequences;
    }

    /** The dataset fingerprint. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The sampling config of a split at {@code negatives}. */
    public SamplingConfig sampling(Split split, int negatives) {
        return config().sampling(fingerprint, split, negatives);
    }

    /** The samples of a split at {@code negatives}: from the cache, or generated and cached. */
    public SampleCache.Entry samples(Split split, int negatives) {
        SamplingConfig sc = sampling(split, negatives);
        return new SampleCache(workDir).getOrCreate(sc, () -> SampleGenerator.generate(catalog, sequences, sc));
    }
}
