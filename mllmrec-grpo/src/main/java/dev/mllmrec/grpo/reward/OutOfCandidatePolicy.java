package dev.mllmrec.grpo.reward;

/** What {@link RecommendationReward} gives a well-formed answer that names an item outside the candidate list. */
public enum OutOfCandidatePolicy {
    /** The reference behaviour: it is simply a wrong item and earns the wrong-item reward (0.3 by default). */
    WRONG,
    /** It is treated like a malformed answer and earns the invalid reward (−1.0 by default). */
    INVALID
}
