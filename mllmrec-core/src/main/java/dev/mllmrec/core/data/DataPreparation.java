package dev.mllmrec.core.data;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a prepared dataset into a work directory: {@code W/catalog.jsonl}, {@code W/sequences.jsonl}, the sample
 * sets (training windows at the training negatives, validation and test at every evaluation negatives) through the
 * {@link SampleCache}, and {@code W/prepare/summary.json}. Rerunning with the same data and config rewrites
 * identical files and reuses the cached samples.
 *
 * <p>Thread-safe: stateless.
 */
public final class DataPreparation {

    /** The command name, and the folder of the summary: {@code W/prepare}. */
    public static final String COMMAND = "prepare";

    private DataPreparation() {
    }

    /** Prepares {@code dataset} in {@code workDir} and returns the summary it wrote. */
    public static PrepareSummary prepare(Dataset dataset, PrepareConfig config, WorkDir workDir) {
        long start = System.nanoTime();
        if (!dataset.name().equals(config.dataset())) {
            throw new IllegalArgumentException("The config names dataset '" + config.dataset()
                    + "' but the dataset is '" + dataset.name() + "'.");
        }
        JsonLines.write(workDir.catalog(), dataset.catalog().items());
        JsonLines.write(workDir.sequences(), dataset.sequences());
        String fingerprint = dataset.fingerprint();
        SampleCache cache = new SampleCache(workDir);
        List<PrepareSummary.SampleSet> sets = new ArrayList<>();
        Map<String, Integer> perSplit = new LinkedHashMap<>();
        List<SamplingConfig> configs = new ArrayList<>();
        configs.add(config.sampling(fingerprint, Split.TRAIN, config.trainNegatives()));
        for (Split split : List.of(Split.VALIDATION, Split.TEST)) {
            for (int m : config.evalNegatives()) {
                configs.add(config.sampling(fingerprint, split, m));
            }
        }
        for (SamplingConfig sc : configs) {
            int count;
            boolean reused;
            var cached = cache.verify(sc);
            if (cached.isPresent()) {
                count = cached.get().samples();
                reused = true;
            } else {
                List<RecommendationSample> samples = SampleGenerator.generate(dataset.catalog(), dataset.sequences(),
                        sc);
                cache.store(sc, samples);
                count = samples.size();
                reused = false;
            }
            sets.add(new PrepareSummary.SampleSet(sc.split().id(), sc.negatives(), count, sc.key(), reused));
            perSplit.putIfAbsent(sc.split().id(), count);
        }
        DataStats s = dataset.stats();
        double seconds = (System.nanoTime() - start) / 1e9;
        PrepareSummary summary = new PrepareSummary(dataset.name(), config.seed(), fingerprint, s.users(), s.items(),
                s.interactions(), s.skipped(), perSplit, sets, s, config, seconds);
        Json.writePretty(workDir.summary(COMMAND), summary);
        return summary;
    }
}
