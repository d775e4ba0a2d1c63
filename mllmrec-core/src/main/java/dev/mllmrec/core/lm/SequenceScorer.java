package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Log-likelihoods {@code log p(answer | prompt)} under a {@link PolicyModel}, batched for ranking: each prompt is
 * run once (prompts of similar length share a left-padded prefill pass that fills a {@link KvCache}), the first
 * answer token of every answer is read from the prompt's last position, and only answers longer than one token
 * need a second pass, over the cache fanned out to one row per answer. The output layer runs only on the
 * positions that are scored. Scoring one item token per candidate therefore costs a single prompt pass.
 *
 * <p>Thread-safe: it holds no mutable state.
 */
public final class SequenceScorer {

    private final PolicyModel model;
    private final int padId;
    private final int promptBatchSize;
    private final int maxAnswerRows;

    /**
     * A scorer over {@code model}.
     *
     * @param padId           the id used for padding (any valid id; padded positions are masked)
     * @param promptBatchSize the most prompts per prefill pass
     * @param maxAnswerRows   the most answers per second pass
     */
    public SequenceScorer(PolicyModel model, int padId, int promptBatchSize, int maxAnswerRows) {
        this.model = Objects.requireNonNull(model, "model");
        if (promptBatchSize < 1 || maxAnswerRows < 1) {
            throw new IllegalArgumentException("Batch sizes must be positive, got " + promptBatchSize + " and "
                    + maxAnswerRows + ".");
        }
        this.padId = Math.max(0, padId);
        this.promptBatchSize = promptBatchSize;
        this.maxAnswerRows = maxAnswerRows;
    }

    /** A scorer with 8 prompts and 256 answers per pass. */
    public SequenceScorer(PolicyModel model, int padId) {
        this(model, padId, 8, 256);
    }

    /** {@code log p(answer | prompt)}, the sum over the answer's tokens. */
    public double logLikelihood(int[] prompt, int[] answer) {
        return score(List.of(new ScoringRequest(prompt, List.of(answer)))).get(0)[0];
    }

    /** For each request, each answer's summed log-likelihood. */
    public List<double[]> score(List<ScoringRequest> requests) {
        List<float[][]> perToken = tokenLogProbs(requests);
        List<double[]> out = new ArrayList<>(perToken.size());
        for (float[][] r : perToken) {
            double[] sums = new double[r.length];
            for (int a = 0; a < r.length; a++) {
                double s = 0;
                for (float f : r[a]) {
                    s += f;
                }
                sums[a] = s;
            }
            out.add(sums);
        }
        return out;
    }

    /** For each request and answer, the log-probability of each answer token given everything before it. */
    @SuppressWarnings("try")
    public List<float[][]> tokenLogProbs(List<ScoringRequest> requests) {
        float[][][] results = new float[requests.size()][][];
        Integer[] order = new Integer[requests.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            ScoringRequest r = requests.get(i);
            results[i] = new float[r.answers().size()][];
            for (int a = 0; a < r.answers().size(); a++) {
                int len = r.promptRef().length + r.answers().get(a).length - 1;
                if (len > model.contextLength()) {
                    throw new IllegalArgumentException("Request " + i + ", answer " + a + ": " + len
                            + " tokens exceed the model's context length " + model.contextLength() + ".");
                }
            }
        }
        Arrays.sort(order, Comparator.comparingInt(i -> requests.get(i).promptRef().length));
        try (GradMode ignored = GradMode.disabled(); NDManager sm = model.manager().newSubManager()) {
            int start = 0;
            while (start < order.length) {
                int end = start;
                int answers = 0;
                while (end < order.length && end - start < promptBatchSize
                        && (end == start || answers + requests.get(order[end]).answers().size() <= maxAnswerRows)) {
                    answers += requests.get(order[end]).answers().size();
                    end++;
                }
                scoreChunk(sm, requests, Arrays.copyOfRange(order, start, end), results);
                start = end;
            }
        }
        return Arrays.asList(results);
    }

    private void scoreChunk(NDManager sm, List<ScoringRequest> requests, Integer[] chunk, float[][][] results) {
        int b = chunk.length;
        int v = model.vocabSize();
        int longest = 0;
        for (Integer i : chunk) {
            longest = Math.max(longest, requests.get(i).promptRef().length);
        }
        long[] tokens = new long[b * longest];
        long[] positions = new long[b * longest];
        float[] mask = new float[b * longest];
        boolean padded = false;
        for (int r = 0; r < b; r++) {
            int[] p = requests.get(chunk[r]).promptRef();
            int offset = longest - p.length;
            padded |= offset > 0;
            for (int t = 0; t < longest; t++) {
                int i = r * longest + t;
                if (t < offset) {
                    tokens[i] = padId;
                } else {
                    tokens[i] = p[t - offset];
                    positions[i] = t - offset;
                    mask[i] = 1f;
                }
            }
        }
        // First answer tokens: read from each prompt's last position.
        List<Long> firstIndex = new ArrayList<>();
        // Longer answers: one row per answer, fanned out from its prompt's cache row.
        List<int[]> rowsOfAnswers = new ArrayList<>(); // {chunkRow, answerIndex}
        int longestTail = 0;
        for (int r = 0; r < b; r++) {
            ScoringRequest req = requests.get(chunk[r]);
            for (int a = 0; a < req.answers().size(); a++) {
                int[] ans = req.answers().get(a);
                results[chunk[r]][a] = new float[ans.length];
                if (ans.length > 0) {
                    firstIndex.add((long) r * v + checkId(ans[0], v));
                }
                if (ans.length > 1) {
                    rowsOfAnswers.add(new int[] {r, a});
                    longestTail = Math.max(longestTail, ans.length - 1);
                }
            }
        }
        try (NDManager step = sm.newSubManager();
             KvCache cache = rowsOfAnswers.isEmpty() ? null : model.newCache(step, b)) {
            Shape shape = new Shape(b, longest);
            NDArray hidden = model.hidden(step.create(tokens, shape), step.create(positions, shape),
                    padded ? step.create(mask, shape) : null, cache);
            NDArray last = hidden.get(new NDIndex(":, -1, :"));
            float[] first = firstIndex.isEmpty() ? new float[0]
                    : model.logits(last).logSoftmax(-1).take(step.create(toArray(firstIndex))).toFloatArray();
            int f = 0;
            for (int r = 0; r < b; r++) {
                ScoringRequest req = requests.get(chunk[r]);
                for (int a = 0; a < req.answers().size(); a++) {
                    if (req.answers().get(a).length > 0) {
                        results[chunk[r]][a][0] = first[f++];
                    }
                }
            }
            if (cache == null) {
                return;
            }
            scoreTails(step, requests, chunk, results, cache, rowsOfAnswers, longestTail);
        }
    }

    private void scoreTails(NDManager step, List<ScoringRequest> requests, Integer[] chunk, float[][][] results,
                            KvCache cache, List<int[]> rowsOfAnswers, int longestTail) {
        int n = rowsOfAnswers.size();
        int v = model.vocabSize();
        int[] fan = new int[n];
        long[] tokens = new long[n * longestTail];
        long[] positions = new long[n * longestTail];
        List<Long> gatherRows = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            int r = rowsOfAnswers.get(j)[0];
            int[] p = requests.get(chunk[r]).promptRef();
            int[] ans = requests.get(chunk[r]).answers().get(rowsOfAnswers.get(j)[1]);
            fan[j] = r;
            for (int t = 0; t < longestTail; t++) {
                int i = j * longestTail + t;
                // Right padding: real tokens never attend to the pads after them.
                tokens[i] = t < ans.length - 1 ? ans[t] : padId;
                positions[i] = p.length + t;
                if (t < ans.length - 1) {
                    gatherRows.add((long) i);
                    targets.add((long) checkId(ans[t + 1], v));
                }
            }
        }
        cache.selectRows(fan);
        Shape shape = new Shape(n, longestTail);
        NDArray hidden = model.hidden(step.create(tokens, shape), step.create(positions, shape), null, cache)
                .reshape(n * longestTail, -1);
        NDArray picked = hidden.get(new NDIndex("{}", step.create(toArray(gatherRows))));
        long[] flat = new long[targets.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (long) i * v + targets.get(i);
        }
        float[] lp = model.logits(picked).logSoftmax(-1).take(step.create(flat)).toFloatArray();
        int k = 0;
        for (int j = 0; j < n; j++) {
            int r = rowsOfAnswers.get(j)[0];
            float[] dest = results[chunk[r]][rowsOfAnswers.get(j)[1]];
            for (int t = 1; t < dest.length; t++) {
                dest[t] = lp[k++];
            }
        }
    }

    private static int checkId(int id, int v) {
        if (id < 0 || id >= v) {
            throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary of size " + v + ".");
        }
        return id;
    }

    private static long[] toArray(List<Long> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
