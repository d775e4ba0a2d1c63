package dev.mllmrec.core.data;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a dataset reader read, filtered and skipped. Counts of the kept data ({@code users}, {@code items},
 * {@code interactions}) come after every filter.
 *
 * @param itemsRead                  items defined by the source (movies, titles)
 * @param interactionsRead           interactions read (ratings, sequence entries)
 * @param itemsWithImage             items that have a readable image file
 * @param interactionsWithoutImage   interactions dropped by the images-only filter (0 when it is off)
 * @param usersRead                  users with at least one interaction read
 * @param usersBelowMinInteractions  users dropped by the minimum-interactions filter
 * @param imageFilesIgnored          files in the image folder that name no known item or are not {@code <id>.<ext>}
 * @param users                      users kept
 * @param items                      items kept (those in at least one kept sequence)
 * @param interactions               interactions kept
 * @param skipped                    records skipped in lenient mode, by {@link SkipReason#key()}
 * @param skippedExamples            the message of the first skip of each reason, keyed like {@code skipped}
 * @param dropped                    records dropped in lenient mode per file: {@code records}, {@code lines} and
 *                                   the count per reason ({@link DataIssues#dropped()})
 * @param droppedExamples            up to three messages of dropped records per file
 * @param normalised                 values changed by the prompt-text rule per {@code file:field}
 *                                   ({@link dev.mllmrec.core.text.PromptText})
 */
public record DataStats(long itemsRead, long interactionsRead, long itemsWithImage, long interactionsWithoutImage,
                        long usersRead, long usersBelowMinInteractions, long imageFilesIgnored, long users,
                        long items, long interactions, Map<String, Long> skipped,
                        Map<String, String> skippedExamples, Map<String, Map<String, Long>> dropped,
                        Map<String, List<String>> droppedExamples, Map<String, Long> normalised) {

    /** Copies; every map in key order, so that the summary reads the same in every run. */
    public DataStats {
        skipped = sorted(skipped);
        skippedExamples = sorted(skippedExamples);
        dropped = sorted(dropped);
        droppedExamples = sorted(droppedExamples);
        normalised = sorted(normalised);
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m == null ? Map.of() : m));
    }
}
