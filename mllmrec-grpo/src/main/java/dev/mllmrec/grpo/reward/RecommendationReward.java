package dev.mllmrec.grpo.reward;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.RewardFunction;
import java.util.Objects;
import java.util.Optional;

/**
 * The MLLMRec-R1 reference reward: {@code -1.0} when the answer (the text after the last {@code </think>}) does not
 * match {@code ^\[ITEM_(\d+)\]\s+(.+)$} (see {@link ParsedAnswer} for the exact rules), {@code 1.0} when the answered
 * id is the target, {@code 0.3} otherwise. Options: an id outside the candidate list may count as invalid
 * ({@link OutOfCandidatePolicy}), and a wrong candidate may earn a {@link PartialCredit} bonus. The title after the
 * id is not checked, as in the reference.
 *
 * <p>Immutable and thread-safe (provided the partial-credit strategy is).
 */
public final class RecommendationReward implements RewardFunction {

    private final String name;
    private final double targetReward;
    private final double wrongReward;
    private final double invalidReward;
    private final OutOfCandidatePolicy outOfCandidates;
    private final PartialCredit partialCredit;

    private RecommendationReward(Builder b) {
        this.name = b.name;
        this.targetReward = b.targetReward;
        this.wrongReward = b.wrongReward;
        this.invalidReward = b.invalidReward;
        this.outOfCandidates = b.outOfCandidates;
        this.partialCredit = b.partialCredit;
    }

    /** The reference reward with its reference values (1.0 / 0.3 / −1.0, out-of-candidate ids are wrong). */
    public static RecommendationReward reference() {
        return builder().build();
    }

    /** A builder whose defaults are the reference reward. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double reward(String completion, RecommendationSample sample) {
        Optional<ParsedAnswer> answer = ParsedAnswer.parse(completion);
        AnswerOutcome outcome = outcome(answer, sample);
        return switch (outcome) {
            case INVALID -> invalidReward;
            case HIT -> targetReward;
            case OUT_OF_CANDIDATES -> wrongReward;
            case MISS -> wrongReward + bonus(sample, answer.orElseThrow().itemId());
        };
    }

    private double bonus(RecommendationSample sample, int itemId) {
        double bonus = partialCredit.bonus(sample, itemId);
        if (!(bonus >= 0.0) || Double.isInfinite(bonus)) {
            throw new IllegalStateException("Partial credit for item " + itemId + " of sample " + sample.sampleId()
                    + " is " + bonus + "; it must be finite and zero or more.");
        }
        return bonus;
    }

    /** Classifies a completion (for hit-rate and valid-format metrics) under this reward's options. */
    public AnswerOutcome outcome(String completion, RecommendationSample sample) {
        return outcome(ParsedAnswer.parse(completion), sample);
    }

    private AnswerOutcome outcome(Optional<ParsedAnswer> answer, RecommendationSample sample) {
        Objects.requireNonNull(sample, "sample");
        if (answer.isEmpty()) {
            return AnswerOutcome.INVALID;
        }
        int id = answer.get().itemId();
        if (id != ParsedAnswer.ID_OUT_OF_RANGE && id == sample.target()) {
            return AnswerOutcome.HIT;
        }
        boolean candidate = id != ParsedAnswer.ID_OUT_OF_RANGE && sample.candidates().contains(id);
        if (candidate) {
            return AnswerOutcome.MISS;
        }
        return outOfCandidates == OutOfCandidatePolicy.INVALID ? AnswerOutcome.INVALID
                : AnswerOutcome.OUT_OF_CANDIDATES;
    }

    @Override
    public String toString() {
        return "RecommendationReward[name=" + name + ", target=" + targetReward + ", wrong=" + wrongReward
                + ", invalid=" + invalidReward + ", outOfCandidates=" + outOfCandidates + "]";
    }

    /** Builds a {@link RecommendationReward}; every setting has the reference default. Not thread-safe. */
    public static final class Builder {
        private String name = "recommendation";
        private double targetReward = 1.0;
        private double wrongReward = 0.3;
        private double invalidReward = -1.0;
        private OutOfCandidatePolicy outOfCandidates = OutOfCandidatePolicy.WRONG;
        private PartialCredit partialCredit = PartialCredit.NONE;

        private Builder() {
        }

        /** The metric name (default {@code recommendation}). */
        public Builder optName(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The reward for naming the target (default 1.0). */
        public Builder optTargetReward(double reward) {
            this.targetReward = reward;
            return this;
        }

        /** The reward for naming another item (default 0.3). */
        public Builder optWrongReward(double reward) {
            this.wrongReward = reward;
            return this;
        }

        /** The reward for a malformed answer (default −1.0). */
        public Builder optInvalidReward(double reward) {
            this.invalidReward = reward;
            return this;
        }

        /** What an id outside the candidates earns (default {@link OutOfCandidatePolicy#WRONG}). */
        public Builder optOutOfCandidates(OutOfCandidatePolicy policy) {
            this.outOfCandidates = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The bonus for a wrong candidate (default {@link PartialCredit#NONE}). */
        public Builder optPartialCredit(PartialCredit credit) {
            this.partialCredit = Objects.requireNonNull(credit, "credit");
            return this;
        }

        /** Validates and builds. */
        public RecommendationReward build() {
            if (name.isBlank()) {
                throw new IllegalArgumentException("The reward name must not be blank.");
            }
            for (double v : new double[] {targetReward, wrongReward, invalidReward}) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("Reward values must be finite, got target=" + targetReward
                            + ", wrong=" + wrongReward + ", invalid=" + invalidReward + ".");
                }
            }
            return new RecommendationReward(this);
        }
    }
}
