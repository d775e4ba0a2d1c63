package dev.mllmrec.grpo.rollout;

import dev.mllmrec.core.lm.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ranked candidate lists of a rollout's completions, drawn when GRPO's {@code rankedList} k is above 1.
 *
 * <p>Why: the reference reward scores one answer, so GRPO pushes the target towards the first place and improves
 * HR@1, while a recommender is judged by where the target lands among the first few (HR@3, NDCG@3). Here each
 * completion's action is a ranked list of k distinct candidates, drawn from the policy's distribution over the
 * prompt's candidates at the item decision by Plackett-Luce sampling (Gumbel top-k), its first entry being the
 * generated answer. The action's log-probability is the list's,
 *
 * <pre>
 * log P(a_0 .. a_{k-1}) = sum_j [ l(a_j) - log sum_{i in C \ {a_0 .. a_{j-1}}} exp l(i) ]
 * </pre>
 *
 * over the candidates {@code C} (l: the policy's log-probabilities at that position, temperature 1), and a target
 * ranked {@code j}-th earns a discounted credit {@link #credit}, so the expected reward is an affine function of
 * the expected NDCG@k of the list. The clipped surrogate, the importance ratio and the KL term all act on the list's
 * log-probability in place of the item token's.
 *
 * @param positions  per completion, the index of the item token the list starts with (-1: no list, for example a
 *                   completion cut off before its answer)
 * @param lists      per completion, the list's item token ids, best first (empty without a list); copied on
 *                   construction, the arrays read-only by contract
 * @param candidates per completion, the candidates' item token ids (the list's support; empty without a list),
 *                   likewise
 */
public record RankedLists(int[] positions, List<int[]> lists, List<int[]> candidates) {

    /** Validates and copies. */
    public RankedLists {
        positions = positions.clone();
        lists = copy(lists);
        candidates = copy(candidates);
        if (lists.size() != positions.length || candidates.size() != positions.length) {
            throw new IllegalArgumentException("Ranked lists need one position, list and candidate set per "
                    + "completion; got " + positions.length + ", " + lists.size() + " and " + candidates.size() + ".");
        }
        for (int c = 0; c < positions.length; c++) {
            int[] list = lists.get(c);
            int[] cand = candidates.get(c);
            if ((positions[c] < 0) != (list.length == 0)) {
                throw new IllegalArgumentException("Completion " + c + " has position " + positions[c]
                        + " but a list of " + list.length + ".");
            }
            for (int id : list) {
                if (Arrays.stream(cand).noneMatch(x -> x == id)) {
                    throw new IllegalArgumentException("Completion " + c + "'s list " + Arrays.toString(list)
                            + " names " + id + ", not one of its candidates " + Arrays.toString(cand) + ".");
                }
            }
        }
    }

    /** The number of completions. */
    public int size() {
        return positions.length;
    }

    /** A copy of the positions. */
    @Override
    public int[] positions() {
        return positions.clone();
    }

    /** Completions {@code from * g .. to * g - 1}: the rows of prompts {@code from .. to - 1} in groups of g. */
    public RankedLists rows(int from, int to, int g) {
        return new RankedLists(Arrays.copyOfRange(positions, from * g, to * g), lists.subList(from * g, to * g),
                candidates.subList(from * g, to * g));
    }

    /**
     * The credit of a list whose target is ranked {@code j}-th (0-based): {@code gap / log2(j + 2)} for
     * {@code 1 <= j < k}, 0 when the target is first (the answer's own reward already counts that) or absent. With
     * the reference reward (1.0 for the target, 0.3 for another candidate: gap 0.7), a list's total is
     * {@code 0.3 + 0.7 * DCG}, DCG being the target's discounted gain at its place in the list.
     *
     * @param list        the list's item token ids
     * @param targetToken the target's item token id (-1 when it has none)
     * @param gap         the reward gap between the target and a wrong candidate as the answer
     */
    public static double credit(int[] list, int targetToken, double gap) {
        for (int j = 1; j < list.length; j++) {
            if (list[j] == targetToken) {
                return gap / (Math.log(j + 2) / Math.log(2));
            }
        }
        return 0.0;
    }

    /**
     * The list's Plackett-Luce log-probability over the candidates ({@link Generator#rankedListLogProb}; the
     * plain-Java reference of the DJL computation in the trainer).
     *
     * @param logProbs   the policy's log-probabilities over the vocabulary at the item decision
     * @param candidates the candidates' token ids
     * @param list       the list's token ids, best first
     */
    public static double listLogProb(float[] logProbs, int[] candidates, int[] list) {
        return Generator.rankedListLogProb(logProbs, 0, candidates, list);
    }

    private static List<int[]> copy(List<int[]> in) {
        List<int[]> out = new ArrayList<>(in.size());
        for (int[] a : in) {
            out.add(a.clone());
        }
        return List.copyOf(out);
    }
}
