package dev.mllmrec.core.rec;

import java.util.Locale;

/**
 * Which prompts a likelihood ranking scores each candidate under. The built-in policy learnt two ways of naming the
 * next item: after item-sequence pre-training ({@code history:[ITEM_a] [ITEM_b] }) and after a prompt that lists the
 * candidates. Both are log-likelihoods of the same item token, so they add up: {@link #BOTH} ranks by their sum, the
 * product of the two distributions.
 *
 * <p>Measured on MovieLens (test split, seed 42, the text policy after GRPO): NDCG@3 0.744 with the candidate prompt,
 * 0.752 with the history prompt, 0.754 with both at 9 negatives; NDCG@10 0.400, 0.411 and 0.412 at 99, where SASRec
 * has 0.415 (docs/ranking-views.md has the seeds).
 */
public enum RankingView {
    /** The prompt the policy was fine-tuned on, with history and candidates (the reference protocol). */
    CANDIDATES,
    /** The history alone, in the item-sequence pre-training format: each candidate scored as the next item. */
    HISTORY,
    /** The sum of both log-likelihoods. */
    BOTH;

    /** Whether the candidate prompt is scored. */
    public boolean usesCandidates() {
        return this != HISTORY;
    }

    /** Whether the history prompt is scored. */
    public boolean usesHistory() {
        return this != CANDIDATES;
    }

    /** The lower-case name used on command lines and in files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The view a policy trained on {@code style} prompts, scoring {@code scope}, ranks with by default: {@link #BOTH}
     * for the built-in policy's compact prompts (its training replays the item-sequence windows, so the history
     * prompt stays learnt), {@link #CANDIDATES} otherwise.
     */
    public static RankingView defaultFor(dev.mllmrec.core.prompt.PromptBuilder.Style style, AnswerScope scope) {
        return style == dev.mllmrec.core.prompt.PromptBuilder.Style.COMPACT && scope == AnswerScope.ITEM_TOKEN
                ? BOTH : CANDIDATES;
    }

    /**
     * Checks that {@code view} can rank answers scored by {@code scope}.
     *
     * @throws IllegalArgumentException when {@code view} scores the history prompt and {@code scope} is not
     *                                  {@link AnswerScope#ITEM_TOKEN}: only the built-in policy, pre-trained on item
     *                                  sequences, has learnt that prompt
     */
    public static void check(RankingView view, AnswerScope scope) {
        if (view.usesHistory() && scope != AnswerScope.ITEM_TOKEN) {
            throw new IllegalArgumentException("Ranking view '" + view.id() + "' scores the item-sequence prompt, "
                    + "which only the built-in policy (item-token answers) was pre-trained on; use 'candidates'.");
        }
    }

    /**
     * The view named {@code name} ({@code candidates}, {@code history} or {@code both}, any case).
     *
     * @throws IllegalArgumentException naming the known views
     */
    public static RankingView of(String name) {
        for (RankingView v : values()) {
            if (v.id().equalsIgnoreCase(name.strip())) {
                return v;
            }
        }
        throw new IllegalArgumentException("Unknown ranking view '" + name + "'; known: candidates, history, both.");
    }
}
