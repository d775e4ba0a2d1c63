package dev.mllmrec.api;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link CotGenerator} sees: one training window's history. It has no target by construction, so a
 * generator cannot leak the answer into its reasoning.
 *
 * @param sampleId the training window's id
 * @param userId   the user
 * @param history  item ids, oldest first
 */
public record CotRequest(String sampleId, String userId, List<Integer> history) {

    /** Validates and copies. */
    public CotRequest {
        Objects.requireNonNull(sampleId, "sampleId");
        Objects.requireNonNull(userId, "userId");
        history = List.copyOf(history);
    }
}
