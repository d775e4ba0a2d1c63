package dev.mllmrec.grpo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.core.lm.KvCache;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.grpo.rollout.RankedLists;
import java.util.Arrays;
import java.util.List;

/**
 * The current policy's per-token log-probabilities of sampled completions, differentiable with respect to the
 * policy's parameters, plus the per-token entropy of its distribution (no gradient). Call inside a
 * {@code GradientCollector}; every array is attached to the given (per-step) manager.
 *
 * <p>{@link #compute} runs each prompt once: a left-padded pass over the {@code P} prompts fills a
 * {@link KvCache}, whose rows are fanned out to the {@code G} completions of each prompt, and a second pass runs
 * the completions on top of it; gradients flow through the cache into the prompt pass. {@link #computeFull} runs
 * every prompt-plus-completion sequence in one pass without a cache ({@code G} times the prompt work; a reference
 * for tests).
 *
 * <p>Thread-safe: stateless.
 */
public final class PolicyLogProbs {

    /**
     * The result.
     *
     * @param logProbs {@code (N, T)} log-probability of each completion token (padding: of the pad id), with
     *                 gradient
     * @param entropy  {@code (N, T)} entropy of the next-token distribution at each completion position, without
     *                 gradient
     */
    public record Output(NDArray logProbs, NDArray entropy) {
    }

    private PolicyLogProbs() {
    }

    /**
     * The log-probabilities through a shared prompt cache.
     *
     * @param model       the policy
     * @param manager     owns every array created (close it after the backward pass)
     * @param prompts     {@code P} prompts' token ids
     * @param completions {@code N = P * groupSize} completions' token ids, group-major, each at most {@code tokens}
     *                    long and at least 1
     * @param groupSize   G
     * @param tokens      T, the padded completion length
     * @param padId       any valid id, used at padded positions
     */
    public static Output compute(PolicyModel model, NDManager manager, List<int[]> prompts, List<int[]> completions,
                                 int groupSize, int tokens, int padId) {
        return compute(model, manager, prompts, completions, groupSize, tokens, padId, null);
    }

    /**
     * The log-probabilities through a shared prompt cache, with each ranked list's Plackett-Luce log-probability
     * in place of its item token's ({@code lists} may be {@code null}: none); see {@link RankedLists}.
     */
    public static Output compute(PolicyModel model, NDManager manager, List<int[]> prompts, List<int[]> completions,
                                 int groupSize, int tokens, int padId, RankedLists lists) {
        int p = prompts.size();
        int n = check(prompts, completions, groupSize, tokens);
        int pad = Math.max(0, padId);
        int longest = 0;
        for (int[] pr : prompts) {
            longest = Math.max(longest, pr.length);
        }
        long[] ids = new long[p * longest];
        long[] pos = new long[p * longest];
        float[] keyMask = new float[p * longest];
        boolean padded = false;
        for (int i = 0; i < p; i++) {
            int[] pr = prompts.get(i);
            int offset = longest - pr.length;
            padded |= offset > 0;
            for (int t = 0; t < longest; t++) {
                int k = i * longest + t;
                if (t < offset) {
                    ids[k] = pad;
                } else {
                    ids[k] = pr[t - offset];
                    pos[k] = t - offset;
                    keyMask[k] = 1f;
                }
            }
        }
        KvCache cache = model.newCache(manager, p);
        Shape promptShape = new Shape(p, longest);
        NDArray promptHidden = model.hidden(manager.create(ids, promptShape), manager.create(pos, promptShape),
                padded ? manager.create(keyMask, promptShape) : null, cache);
        long[] fan = new long[n];
        int[] fanRows = new int[n];
        for (int c = 0; c < n; c++) {
            fan[c] = c / groupSize;
            fanRows[c] = c / groupSize;
        }
        NDArray last = promptHidden.get(new NDIndex(":, -1, :"));
        NDArray first = last.get(new NDIndex("{}", manager.create(fan))).expandDims(1); // (N, 1, d)
        NDArray hidden = first;
        if (tokens > 1) {
            cache.selectRows(fanRows);
            int tail = tokens - 1;
            long[] tailIds = new long[n * tail];
            long[] tailPos = new long[n * tail];
            for (int c = 0; c < n; c++) {
                int[] comp = completions.get(c);
                int promptLen = prompts.get(c / groupSize).length;
                for (int t = 0; t < tail; t++) {
                    // Right padding: real tokens never attend to the pads after them.
                    tailIds[c * tail + t] = t < comp.length ? comp[t] : pad;
                    tailPos[c * tail + t] = promptLen + t;
                }
            }
            Shape tailShape = new Shape(n, tail);
            NDArray tailHidden = model.hidden(manager.create(tailIds, tailShape), manager.create(tailPos, tailShape),
                    null, cache);
            hidden = NDArrays.concat(new NDList(first, tailHidden), 1);
        }
        return readOut(model, manager, hidden, completions, n, tokens, pad, lists);
    }

    /** The same log-probabilities from one uncached pass over every prompt-plus-completion sequence. */
    public static Output computeFull(PolicyModel model, NDManager manager, List<int[]> prompts,
                                     List<int[]> completions, int groupSize, int tokens, int padId) {
        int n = check(prompts, completions, groupSize, tokens);
        int pad = Math.max(0, padId);
        int longest = 0;
        for (int[] pr : prompts) {
            longest = Math.max(longest, pr.length);
        }
        int len = longest + tokens - 1;
        long[] ids = new long[n * len];
        long[] pos = new long[n * len];
        float[] keyMask = new float[n * len];
        long[] gather = new long[n * tokens];
        for (int c = 0; c < n; c++) {
            int[] pr = prompts.get(c / groupSize);
            int[] comp = completions.get(c);
            int offset = longest - pr.length;
            for (int t = 0; t < len; t++) {
                int k = c * len + t;
                int j = t - offset;
                if (j < 0) {
                    ids[k] = pad;
                    continue;
                }
                ids[k] = j < pr.length ? pr[j] : (j - pr.length < comp.length ? comp[j - pr.length] : pad);
                pos[k] = j;
                keyMask[k] = 1f;
            }
            for (int t = 0; t < tokens; t++) {
                gather[c * tokens + t] = (long) c * len + longest - 1 + t;
            }
        }
        Shape shape = new Shape(n, len);
        NDArray hidden = model.hidden(manager.create(ids, shape), manager.create(pos, shape),
                manager.create(keyMask, shape), null);
        NDArray picked = hidden.reshape(n * len, -1).get(new NDIndex("{}", manager.create(gather)))
                .reshape(n, tokens, -1);
        return readOut(model, manager, picked, completions, n, tokens, pad, null);
    }

    private static Output readOut(PolicyModel model, NDManager manager, NDArray hidden, List<int[]> completions,
                                  int n, int tokens, int pad, RankedLists lists) {
        int v = model.vocabSize();
        NDArray logSoftmax = model.logits(hidden).logSoftmax(-1); // (N, T, V)
        long[] flat = new long[n * tokens];
        for (int c = 0; c < n; c++) {
            int[] comp = completions.get(c);
            for (int t = 0; t < tokens; t++) {
                int target = t < comp.length ? comp[t] : pad;
                if (target < 0 || target >= v) {
                    throw new IllegalArgumentException("Completion " + c + " has token id " + target
                            + " outside the vocabulary of size " + v + ".");
                }
                flat[c * tokens + t] = ((long) c * tokens + t) * v + target;
            }
        }
        NDArray logProbs = logSoftmax.take(manager.create(flat)).reshape(n, tokens);
        if (lists != null) {
            if (lists.size() != n) {
                throw new IllegalArgumentException(n + " completions but " + lists.size() + " ranked lists.");
            }
            logProbs = withListLogProbs(manager, logSoftmax, logProbs, lists, n, tokens, v);
        }
        NDArray detached = logSoftmax.stopGradient();
        NDArray entropy = detached.exp().mul(detached).sum(new int[] {-1}).neg();
        return new Output(logProbs, entropy);
    }

    /**
     * {@code logProbs} with each list's Plackett-Luce log-probability over its candidates at its item position:
     * {@code sum_j [l(a_j) - logsumexp(l over the candidates not yet drawn)]}, differentiable in the logits.
     */
    private static NDArray withListLogProbs(NDManager manager, NDArray logSoftmax, NDArray logProbs,
                                            RankedLists lists, int n, int tokens, int v) {
        int[] pos = lists.positions();
        int width = 1;
        int k = 1;
        for (int c = 0; c < n; c++) {
            width = Math.max(width, lists.candidates().get(c).length);
            k = Math.max(k, lists.lists().get(c).length);
        }
        long[] rowIdx = new long[n];
        long[] candFlat = new long[n * width];
        float[][] remaining = new float[k][n * width];
        long[][] chosen = new long[k][n];
        float[][] drawn = new float[k][n];
        float[] at = new float[n * tokens];
        float[] keep = new float[n * tokens];
        Arrays.fill(keep, 1f);
        for (int c = 0; c < n; c++) {
            int[] cand = lists.candidates().get(c);
            int[] list = lists.lists().get(c);
            rowIdx[c] = (long) c * tokens + Math.max(pos[c], 0);
            for (int j = 0; j < width; j++) {
                candFlat[c * width + j] = (long) c * v + (j < cand.length ? cand[j] : cand.length > 0 ? cand[0] : 0);
            }
            boolean[] used = new boolean[width];
            for (int d = 0; d < k; d++) {
                chosen[d][c] = (long) c * width;
                if (d >= list.length) {
                    remaining[d][c * width] = 1f; // a finite log-sum for rows without a d-th draw (masked out)
                    continue;
                }
                int idx = -1;
                for (int j = 0; j < cand.length; j++) {
                    if (!used[j]) {
                        remaining[d][c * width + j] = 1f;
                        if (idx < 0 && cand[j] == list[d]) {
                            idx = j;
                        }
                    }
                }
                if (idx < 0) {
                    throw new IllegalArgumentException("Completion " + c + "'s list entry " + list[d]
                            + " is not a remaining candidate.");
                }
                used[idx] = true;
                chosen[d][c] = (long) c * width + idx;
                drawn[d][c] = 1f;
            }
            if (pos[c] >= 0) {
                at[c * tokens + pos[c]] = 1f;
                keep[c * tokens + pos[c]] = 0f;
            }
        }
        NDArray rows = logSoftmax.reshape(n * tokens, v).get(new NDIndex("{}", manager.create(rowIdx)));
        NDArray cand = rows.take(manager.create(candFlat)).reshape(n, width);
        NDArray max = cand.stopGradient().max(new int[] {1}, true);
        NDArray exp = cand.sub(max).exp();
        NDArray total = null;
        for (int d = 0; d < k; d++) {
            NDArray logSum = exp.mul(manager.create(remaining[d], new Shape(n, width))).sum(new int[] {1}).log()
                    .add(max.squeeze(1));
            NDArray term = cand.take(manager.create(chosen[d])).sub(logSum).mul(manager.create(drawn[d]));
            total = total == null ? term : total.add(term);
        }
        Shape shape = new Shape(n, tokens);
        return logProbs.mul(manager.create(keep, shape)).add(manager.create(at, shape).mul(total.reshape(n, 1)));
    }

    private static int check(List<int[]> prompts, List<int[]> completions, int groupSize, int tokens) {
        if (prompts.isEmpty() || groupSize < 1 || tokens < 1) {
            throw new IllegalArgumentException("Need at least one prompt, G >= 1 and T >= 1, got " + prompts.size()
                    + " prompts, G = " + groupSize + ", T = " + tokens + ".");
        }
        int n = prompts.size() * groupSize;
        if (completions.size() != n) {
            throw new IllegalArgumentException(prompts.size() + " prompts x " + groupSize + " need " + n
                    + " completions, got " + completions.size() + ".");
        }
        for (int c = 0; c < n; c++) {
            int len = completions.get(c).length;
            if (len < 1 || len > tokens) {
                throw new IllegalArgumentException("Completion " + c + " has " + len + " tokens; expected 1.."
                        + tokens + ".");
            }
        }
        return n;
    }
}
