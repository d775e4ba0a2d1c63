package dev.mllmrec.core.pipeline;

import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.data.LeaveOneOut;
import dev.mllmrec.core.data.Split;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The most recent training windows of every user, which supervised fine-tuning leaves out and GRPO trains on.
 *
 * <p>Why: SFT (pre-training included) fits its training windows almost by heart, so GRPO rollouts on those same
 * windows mostly hit the target, and what reward is left to gain is memorisation: training reward rises while
 * validation falls (the paper's reward inflation, which the monitor flags). Holding out the last {@code r} training
 * targets of each user gives GRPO prompts the policy has never been fitted to, closest in time to the validation
 * and test targets, so its rewards measure generalisation.
 *
 * <p>At most a third of a user's training targets are held out ({@link #heldOut}), so that sparse data (a median of
 * six interactions per user) still leaves SFT most of each user; users with seven or more training targets (every
 * MovieLens user with ten interactions) give up the full {@code r}.
 */
public final class RecentWindows {

    /** The default number of held-out windows per user. */
    public static final int DEFAULT = 2;

    private RecentWindows() {
    }

    /**
     * The sample ids ({@code u<user>-train-<t>}) of the last {@code r} training windows of each user (fewer for users
     * with fewer windows); empty when {@code r == 0}.
     *
     * @throws IllegalArgumentException if {@code r < 0}
     */
    public static Set<String> sampleIds(List<UserHistory> sequences, int r) {
        requireNonNegative(r);
        Set<String> out = new HashSet<>();
        for (UserHistory h : sequences) {
            int prefix = LeaveOneOut.trainingPrefix(h.items()).size();
            for (int t = Math.max(1, prefix - heldOut(prefix, r)); t < prefix; t++) {
                out.add(LeaveOneOut.sampleId(h.userId(), Split.TRAIN, t));
            }
        }
        return out;
    }

    /**
     * The training prefixes without their last {@code r} items (the held-out windows' targets), so that nothing SFT
     * trains on reveals what follows.
     */
    public static List<List<Integer>> sftPrefixes(List<UserHistory> sequences, int r) {
        requireNonNegative(r);
        List<List<Integer>> out = new ArrayList<>(sequences.size());
        for (List<Integer> p : LeaveOneOut.trainingPrefixes(sequences)) {
            // Window t's target is item t (t >= 1), so the kept prefix ends where the first held-out target starts.
            int keep = Math.max(Math.min(p.size(), 1), p.size() - heldOut(p.size(), r));
            out.add(p.subList(0, keep));
        }
        return out;
    }

    /**
     * How many of the last windows of a training prefix of {@code prefixSize} items go to GRPO: {@code r}, but at
     * most a third of its {@code prefixSize - 1} targets.
     */
    static int heldOut(int prefixSize, int r) {
        return Math.min(r, Math.max(0, prefixSize - 1) / 3);
    }

    private static void requireNonNegative(int r) {
        if (r < 0) {
            throw new IllegalArgumentException("The number of held-out recent windows must be >= 0, got " + r + ".");
        }
    }
}
