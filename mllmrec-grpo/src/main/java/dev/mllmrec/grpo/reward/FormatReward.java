package dev.mllmrec.grpo.reward;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.RewardFunction;
import java.util.Objects;

/**
 * Rewards the shape of a completion, not its correctness: {@code matchReward} (default 1.0) when the completion has
 * the required {@link Format}, {@code mismatchReward} (default 0.0) otherwise. Immutable and thread-safe.
 */
public final class FormatReward implements RewardFunction {

    /** The completion shapes this reward can require. */
    public enum Format {
        /** The answer after the last {@code </think>} (or the whole text) parses as a {@link ParsedAnswer}. */
        ANSWER_ONLY,
        /**
         * Exactly one {@code </think>}, preceded by non-blank reasoning; at most one {@code <think>}, which, when
         * present, must open the completion (after leading whitespace) — it may be absent because many chat templates
         * put it in the prompt; and the answer after {@code </think>} parses as a {@link ParsedAnswer}.
         */
        THINK_THEN_ANSWER
    }

    private static final String THINK_START = "<think>";

    private final String name;
    private final Format format;
    private final double matchReward;
    private final double mismatchReward;

    private FormatReward(String name, Format format, double matchReward, double mismatchReward) {
        this.name = name;
        this.format = format;
        this.matchReward = matchReward;
        this.mismatchReward = mismatchReward;
    }

    /** A format reward named {@code format} paying 1.0 for a match and 0.0 otherwise. */
    public static FormatReward of(Format format) {
        return of("format", format, 1.0, 0.0);
    }

    /** A format reward with explicit name and values. */
    public static FormatReward of(String name, Format format, double matchReward, double mismatchReward) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        if (name.isBlank()) {
            throw new IllegalArgumentException("The reward name must not be blank.");
        }
        if (!Double.isFinite(matchReward) || !Double.isFinite(mismatchReward)) {
            throw new IllegalArgumentException("Reward values must be finite, got match=" + matchReward
                    + ", mismatch=" + mismatchReward + ".");
        }
        return new FormatReward(name, format, matchReward, mismatchReward);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double reward(String completion, RecommendationSample sample) {
        return matches(completion) ? matchReward : mismatchReward;
    }

    /** Whether {@code completion} has the required shape. */
    public boolean matches(String completion) {
        Objects.requireNonNull(completion, "completion");
        if (format == Format.ANSWER_ONLY) {
            return ParsedAnswer.parse(completion).isPresent();
        }
        int end = completion.indexOf(ParsedAnswer.THINK_END);
        if (end < 0 || completion.indexOf(ParsedAnswer.THINK_END, end + 1) >= 0) {
            return false;
        }
        String before = ParsedAnswer.pythonStrip(completion.substring(0, end));
        int start = before.indexOf(THINK_START);
        if (start > 0 || (start == 0 && before.indexOf(THINK_START, 1) >= 0)) {
            return false;
        }
        String reasoning = start == 0 ? before.substring(THINK_START.length()) : before;
        if (ParsedAnswer.pythonStrip(reasoning).isEmpty()) {
            return false;
        }
        return ParsedAnswer.parse(completion).isPresent();
    }

    @Override
    public String toString() {
        return "FormatReward[name=" + name + ", format=" + format + "]";
    }
}
