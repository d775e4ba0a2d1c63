package dev.mllmrec.core.sasrec;

import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small deterministic datasets for the SASRec tests. */
final class SasRecFixtures {

    private SasRecFixtures() {
    }

    /**
     * Users walking a ring of {@code items} ids 1..items: item {@code i} is always followed by {@code i + 1} (and
     * {@code items} by 1); each user starts at a random item and takes {@code length} steps.
     */
    static List<UserHistory> ring(int users, int items, int length, long seed) {
        Random rnd = new Random(seed);
        List<UserHistory> out = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int start = rnd.nextInt(items);
            List<Integer> seq = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                seq.add(1 + (start + i) % items);
            }
            out.add(new UserHistory("u" + u, seq));
        }
        return out;
    }

    /** A config small enough to train on a ring in a few dozen steps. */
    static SasRecConfig tiny() {
        return SasRecConfig.builder().optMaxLength(10).optHiddenSize(32).optBlocks(2).optHeads(2).optDropout(0.1f)
                .optLearningRate(5e-3f).optBatchSize(64).optEpochs(6).optWindowStride(3).optSeed(7).build();
    }
}
