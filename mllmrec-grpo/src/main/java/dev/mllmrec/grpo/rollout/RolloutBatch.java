package dev.mllmrec.grpo.rollout;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.lm.Generation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One generation batch of GRPO: {@code P} prompts with {@code G} sampled completions each, in group-major order
 * (completion {@code c} belongs to prompt {@code c / G}). Per-token arrays are row-major {@code N x T} with
 * {@code N = P * G} and {@code T} the longest completion of the batch; shorter completions are right-padded, with
 * mask 0 and log-probability 0 at the padding.
 *
 * @param prompts          the prompts
 * @param groupSize        G, completions per prompt
 * @param promptTokens     each prompt's token ids as the policy saw them (left-truncated to fit the context)
 * @param completionTokens each completion's generated ids, the stop token included when there is one
 * @param completions      each completion's text (the stop token and padding specials left out), as rewards see it
 * @param stopReasons      why each completion ended
 * @param tokens           T, the padded completion length (at least 1)
 * @param mask             1 for a generated token, 0 for padding
 * @param oldLogProbs      the sampling policy's log-probability of each generated token (its own distribution: no
 *                         temperature, no top-p cut)
 * @param refLogProbs      the reference policy's log-probabilities, or {@code null} when no reference was given
 * @param generationSeconds wall time of sampling
 * @param referenceSeconds  wall time of the reference forward pass (0 without a reference)
 * @param rankedLists      the completions' ranked candidate lists when the rollout drew lists (k &gt; 1), else
 *                         {@code null}; then {@code oldLogProbs} and {@code refLogProbs} hold each list's
 *                         log-probability at its item position
 */
public record RolloutBatch(List<GrpoPrompt> prompts, int groupSize, List<int[]> promptTokens,
                           List<int[]> completionTokens, List<String> completions,
                           List<Generation.StopReason> stopReasons, int tokens, float[] mask, float[] oldLogProbs,
                           float[] refLogProbs, double generationSeconds, double referenceSeconds,
                           RankedLists rankedLists) {

    /** Validates and copies. */
    public RolloutBatch {
        prompts = List.copyOf(prompts);
        promptTokens = copyAll(promptTokens);
        completionTokens = copyAll(completionTokens);
        completions = List.copyOf(completions);
        stopReasons = List.copyOf(stopReasons);
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(oldLogProbs, "oldLogProbs");
        if (groupSize < 1 || prompts.isEmpty()) {
            throw new IllegalArgumentException("A rollout batch needs at least one prompt and a group size of 1 or "
                    + "more, got " + prompts.size() + " prompts and G = " + groupSize + ".");
        }
        int n = prompts.size() * groupSize;
        if (promptTokens.size() != prompts.size() || completionTokens.size() != n || completions.size() != n
                || stopReasons.size() != n) {
            throw new IllegalArgumentException("A rollout batch of " + prompts.size() + " prompts x " + groupSize
                    + " needs " + n + " completions, got " + completionTokens.size() + " token lists, "
                    + completions.size() + " texts and " + stopReasons.size() + " stop reasons.");
        }
        long cells = (long) n * tokens;
        if (tokens < 1 || mask.length != cells || oldLogProbs.length != cells
                || (refLogProbs != null && refLogProbs.length != cells)) {
            throw new IllegalArgumentException("Per-token arrays must hold N x T = " + n + " x " + tokens
                    + " values.");
        }
        if (rankedLists != null && rankedLists.size() != n) {
            throw new IllegalArgumentException("A rollout batch of " + n + " completions has " + rankedLists.size()
                    + " ranked lists.");
        }
        mask = mask.clone();
        oldLogProbs = oldLogProbs.clone();
        refLogProbs = refLogProbs == null ? null : refLogProbs.clone();
    }

    private static List<int[]> copyAll(List<int[]> lists) {
        List<int[]> out = new ArrayList<>(lists.size());
        for (int[] a : lists) {
            out.add(a.clone());
        }
        return List.copyOf(out);
    }

    /** N, the number of completions. */
    public int size() {
        return completionTokens.size();
    }

    /** The sample that completion {@code c} answers. */
    public RecommendationSample sampleOf(int c) {
        return prompts.get(c / groupSize).sample();
    }

    /** The samples, one per prompt. */
    public List<RecommendationSample> samples() {
        return prompts.stream().map(GrpoPrompt::sample).toList();
    }

    /** The number of generated tokens (the sum of the mask). */
    public long completionTokenCount() {
        long s = 0;
        for (int[] c : completionTokens) {
            s += c.length;
        }
        return s;
    }

    /** The mask (a copy). */
    @Override
    public float[] mask() {
        return mask.clone();
    }

    /** The sampling policy's log-probabilities (a copy). */
    @Override
    public float[] oldLogProbs() {
        return oldLogProbs.clone();
    }

    /** The reference log-probabilities (a copy), or {@code null}. */
    @Override
    public float[] refLogProbs() {
        return refLogProbs == null ? null : refLogProbs.clone();
    }

    /** The rows {@code [fromPrompt * G, toPrompt * G)} of a row-major {@code N x T} array. */
    public float[] rows(float[] perToken, int fromPrompt, int toPrompt) {
        int from = fromPrompt * groupSize * tokens;
        int to = toPrompt * groupSize * tokens;
        float[] out = new float[to - from];
        System.arraycopy(perToken, from, out, 0, out.length);
        return out;
    }
}
