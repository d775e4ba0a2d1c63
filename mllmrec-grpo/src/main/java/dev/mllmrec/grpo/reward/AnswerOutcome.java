package dev.mllmrec.grpo.reward;

/** How a completion's answer relates to its sample, as judged by {@link RecommendationReward}. */
public enum AnswerOutcome {
    /** The answer does not match the reference pattern (or names an item outside the candidates, when so chosen). */
    INVALID,
    /** A well-formed answer naming the target. */
    HIT,
    /** A well-formed answer naming a candidate other than the target. */
    MISS,
    /** A well-formed answer naming an item that is not among the candidates. */
    OUT_OF_CANDIDATES;

    /** Whether the answer is well formed (everything but {@link #INVALID}). */
    public boolean wellFormed() {
        return this != INVALID;
    }
}
