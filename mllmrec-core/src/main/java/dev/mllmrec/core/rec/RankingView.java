package dev.mllmrec.core.rec;

import java.util.Locale;

/**
 * Which prompts a likelihood ranking scores each candidate under. The built-in policy learnt two ways of naming the
 * next item: after item-sequence pre-training ({@code history:[ITEM_a] [ITEM_b] }, whose windows stay in training
 * through the prompt phase) and after a prompt that lists the candidates. Both give a log-likelihood of the same
 * item token; {@link #BOTH} ranks by their sum, the product of the two distributions.
 *
 * <p>Measured on MovieLens (test split, the text policy after GRPO, mean of seeds 42-44): HR@3 / NDCG@3 at 9
 * negatives 0.859 / 0.726 with the candidate prompt, 0.875 / 0.748 with the history prompt, 0.871 / 0.744 with
 * both; HR@3 / NDCG@10 at 99 negatives 0.333 / 0.359, 0.389 / 0.404 and 0.371 / 0.396. The history prompt is best
 * on every seed at 99 negatives and on average at 9, so it is the built-in policy's default
 * (docs/ranking-views.md).
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
     * The view a policy trained on {@code style} prompts, scoring {@code scope}, ranks with by default:
     * {@link #HISTORY} for the built-in policy's compact prompts (its training replays the item-sequence windows
     * beside the prompts, so that prompt stays learnt, and it ranks best), {@link #CANDIDATES} otherwise (a
     * pretrained decoder's reference prompts).
     */
    public static RankingView defaultFor(dev.mllmrec.core.prompt.PromptBuilder.Style style, AnswerScope scope) {
        return style == dev.mllmrec.core.prompt.PromptBuilder.Style.COMPACT && scope == AnswerScope.ITEM_TOKEN
                ? HISTORY : CANDIDATES;
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
