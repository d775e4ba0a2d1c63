package dev.mllmrec.core.data;

import java.util.List;
import java.util.Map;

/**
 * The content of {@code W/prepare/summary.json}.
 *
 * @param dataset      the dataset name
 * @param seed         the seed (also in {@code config})
 * @param fingerprint  the dataset fingerprint
 * @param users        users kept
 * @param items        items kept
 * @param interactions interactions kept
 * @param skipped      records skipped in lenient mode, by reason (empty in strict mode)
 * @param samples      samples per split at the first evaluation negatives, for example {@code {"train": 52000}}
 * @param sampleSets   every sample set written or reused
 * @param data         the reader's full statistics
 * @param config       the preparation settings
 * @param seconds      the wall-clock time of the run
 */
public record PrepareSummary(String dataset, long seed, String fingerprint, long users, long items, long interactions,
                             Map<String, Long> skipped, Map<String, Integer> samples, List<SampleSet> sampleSets,
                             DataStats data, PrepareConfig config, double seconds) {

    /**
     * One sample set.
     *
     * @param split     the split id
     * @param negatives the number of negatives
     * @param samples   the number of samples
     * @param key       the cache folder under {@code W/samples}
     * @param reused    whether the set was reused from an earlier run
     */
    public record SampleSet(String split, int negatives, int samples, String key, boolean reused) {
    }
}
