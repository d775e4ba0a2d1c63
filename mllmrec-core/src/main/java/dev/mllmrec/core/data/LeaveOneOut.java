package dev.mllmrec.core.data;

import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.List;

/**
 * Leave-one-out splits of a chronological sequence {@code i_0 ... i_{n-1}}: the test target is {@code i_{n-1}},
 * the validation target is {@code i_{n-2}}, and the training prefix {@code i_0 ... i_{n-3}} gives one sliding
 * window per position {@code t >= 1}. Every window's history is the up to {@code history} items just before its
 * target, so no window ever sees its own target or a later item.
 *
 * <p>Thread-safe: stateless.
 */
public final class LeaveOneOut {

    /**
     * One prediction position in a sequence.
     *
     * @param targetIndex the target's 0-based position in the full sequence
     * @param history     the items before the target, oldest first, at most the configured length, never empty
     * @param target      the target item
     */
    public record Window(int targetIndex, List<Integer> history, int target) {

        /** Copies. */
        public Window {
            history = List.copyOf(history);
        }
    }

    private LeaveOneOut() {
    }

    /**
     * The windows of {@code split}: none when the sequence is too short (test needs 2 items, validation 3, training
     * windows 4).
     *
     * @throws IllegalArgumentException if {@code history < 1}
     */
    public static List<Window> windows(List<Integer> sequence, Split split, int history) {
        if (history < 1) {
            throw new IllegalArgumentException("The history length must be at least 1, got " + history + ".");
        }
        int n = sequence.size();
        List<Window> out = new ArrayList<>();
        switch (split) {
            case TEST -> {
                if (n >= 2) {
                    out.add(window(sequence, n - 1, history));
                }
            }
            case VALIDATION -> {
                if (n >= 3) {
                    out.add(window(sequence, n - 2, history));
                }
            }
            case TRAIN -> {
                int prefix = Math.max(0, n - 2);
                for (int t = 1; t < prefix; t++) {
                    out.add(window(sequence, t, history));
                }
            }
            default -> throw new IllegalStateException("Unhandled split " + split + ".");
        }
        return out;
    }

    /** The training prefix of a sequence: everything but its validation and test items. */
    public static List<Integer> trainingPrefix(List<Integer> sequence) {
        return List.copyOf(sequence.subList(0, Math.max(0, sequence.size() - 2)));
    }

    /** The training prefixes of all sequences, in order. */
    public static List<List<Integer>> trainingPrefixes(List<UserHistory> sequences) {
        return sequences.stream().map(h -> trainingPrefix(h.items())).toList();
    }

    /** The sample id of a window: {@code u<user>-test}, {@code u<user>-validation}, {@code u<user>-train-<t>}. */
    public static String sampleId(String userId, Split split, int targetIndex) {
        return split == Split.TRAIN ? "u" + userId + "-train-" + targetIndex : "u" + userId + "-" + split.id();
    }

    private static Window window(List<Integer> seq, int t, int history) {
        return new Window(t, seq.subList(Math.max(0, t - history), t), seq.get(t));
    }
}
