package dev.mllmrec.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizers;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.RankingView;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ranks candidates with a model exported by {@link SasRecOnnxExporter} or {@link PolicyOnnxExporter}, on ONNX
 * Runtime alone: no DJL engine or libtorch is loaded, so a service can depend on mllmrec-core without the PyTorch
 * artifacts (see {@code docs/onnx.md}). Rankings equal those of {@code SasRecRecommender} and
 * {@code LikelihoodRecommender} on the same model: the same candidates, the same tie-breaking, scores within float
 * rounding.
 *
 * <p>Thread-safe: any number of threads may rank at once (ONNX Runtime runs a session concurrently); close it once,
 * when no ranking is in flight. {@link #rankAll} runs up to {@link OnnxSessionConfig#batchSize()} requests per
 * session run.
 */
public final class OnnxRecommender implements Recommender, AutoCloseable {

    /** The score of a candidate a SASRec model has never seen (ranks last), as in the DJL recommender. */
    public static final double UNKNOWN_ITEM_SCORE = -1e30;

    private static final Comparator<ScoredItem> SASREC_ORDER = Comparator.comparingDouble(ScoredItem::score)
            .reversed().thenComparingInt(ScoredItem::itemId);

    private final String name;
    private final OnnxManifest manifest;
    private final OnnxSessionConfig config;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Ranker ranker;
    private final AutoCloseable extra;

    /** One model kind's ranking of a batch of requests. */
    private interface Ranker {
        List<Ranking> rank(List<RankingRequest> requests) throws OrtException;
    }

    private OnnxRecommender(Path dir, OnnxManifest manifest, String name, OnnxSessionConfig config,
                            java.util.function.Function<OnnxRecommender, Ranker> ranker, AutoCloseable extra) {
        this.manifest = manifest;
        this.config = Objects.requireNonNull(config, "config");
        this.name = name;
        this.extra = extra;
        Path model = dir.resolve(manifest.model());
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("No ONNX model at " + model + " (named by " + dir.resolve(
                    OnnxManifest.FILE) + ").");
        }
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = config.toSessionOptions()) {
            this.session = env.createSession(model.toString(), so);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load " + model + ": " + e.getMessage(), e);
        }
        this.ranker = ranker.apply(this);
    }

    /**
     * Loads a SASRec export.
     *
     * @throws IllegalArgumentException naming the file when the directory holds no SASRec export
     */
    public static OnnxRecommender loadSasRec(Path dir, OnnxSessionConfig config) {
        OnnxManifest m = OnnxManifest.read(dir);
        if (!OnnxManifest.SASREC.equals(m.kind())) {
            throw new IllegalArgumentException(dir.resolve(OnnxManifest.FILE) + " describes a " + m.kind()
                    + " model, not a SASRec model.");
        }
        if (m.items() == null || m.maxLength() < 1) {
            throw new IllegalArgumentException(dir.resolve(OnnxManifest.FILE)
                    + " lacks the item vocabulary or maxLength of a SASRec export.");
        }
        return new OnnxRecommender(dir, m, m.name() + "-onnx", config,
                r -> r.new SasRecRanker(m.items(), m.maxLength()), null);
    }

    /**
     * Loads a policy export that ranks by the log-likelihood of each candidate's item token.
     *
     * @param catalog the items, for rendering prompts (titles, in the reference style)
     */
    public static OnnxRecommender loadPolicy(Path dir, Catalog catalog, OnnxSessionConfig config) {
        return loadPolicy(dir, catalog, AnswerScope.ITEM_TOKEN, config);
    }

    /**
     * Loads a policy export that scores {@code scope} of each candidate's answer, under the default view of its
     * prompt style ({@link RankingView#defaultFor}), as the DJL ranker does.
     */
    public static OnnxRecommender loadPolicy(Path dir, Catalog catalog, AnswerScope scope, OnnxSessionConfig config) {
        return loadPolicy(dir, catalog, scope, null, config);
    }

    /**
     * Loads a policy export that scores {@code scope} of each candidate's answer under {@code view} ({@code null}:
     * the default of its prompt style).
     */
    public static OnnxRecommender loadPolicy(Path dir, Catalog catalog, AnswerScope scope, RankingView view,
                                             OnnxSessionConfig config) {
        OnnxManifest m = OnnxManifest.read(dir);
        if (!OnnxManifest.POLICY.equals(m.kind())) {
            throw new IllegalArgumentException(dir.resolve(OnnxManifest.FILE) + " describes a " + m.kind()
                    + " model, not a policy.");
        }
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(scope, "scope");
        Path tokenizerFile = dir.resolve(m.tokenizer() == null ? "tokenizer.json" : m.tokenizer());
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException("No tokenizer at " + tokenizerFile + " (named by "
                    + dir.resolve(OnnxManifest.FILE) + ").");
        }
        TextTokenizer tokenizer = TextTokenizers.load(tokenizerFile);
        try {
            PromptBuilder prompts = PromptBuilder.builder().setCatalog(catalog)
                    .optStyle(PromptBuilder.Style.of(m.promptStyle() == null ? "reference" : m.promptStyle()))
                    .build();
            int pad = m.padId() == null ? 0 : m.padId();
            RankingView v = view != null ? view : RankingView.defaultFor(prompts.style(), scope);
            RankingView.check(v, scope);
            // An explicit view names the recommender (grpo-history-onnx), as the DJL ranker's report does.
            String name = view == null ? m.name() + "-onnx" : m.name() + "-" + view.id() + "-onnx";
            return new OnnxRecommender(dir, m, name, config,
                    r -> r.new PolicyRanker(tokenizer, prompts, scope, v, pad, m.maxLength()), tokenizer);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Loads an export of either kind.
     *
     * @param catalog the items (needed for a policy; may be {@code null} for SASRec)
     */
    public static OnnxRecommender load(Path dir, Catalog catalog, OnnxSessionConfig config) {
        return OnnxManifest.SASREC.equals(OnnxManifest.read(dir).kind()) ? loadSasRec(dir, config)
                : loadPolicy(dir, catalog, config);
    }

    /** The manifest of the loaded export. */
    public OnnxManifest manifest() {
        return manifest;
    }

    /** The session settings. */
    public OnnxSessionConfig config() {
        return config;
    }

    /**
     * The export's model name with {@code -onnx} appended, for example {@code sasrec-onnx}; a policy loaded with an
     * explicit view has the view's id before it ({@code grpo-history-onnx}).
     */
    @Override
    public String name() {
        return name;
    }

    @Override
    public Ranking rank(RankingRequest request) {
        return rankAll(List.of(request)).get(0);
    }

    @Override
    public List<Ranking> rankAll(List<RankingRequest> requests) {
        List<Ranking> out = new ArrayList<>(requests.size());
        for (int from = 0; from < requests.size(); from += config.batchSize()) {
            List<RankingRequest> chunk = requests.subList(from, Math.min(requests.size(), from + config.batchSize()));
            try {
                out.addAll(ranker.rank(chunk));
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed to rank requests " + from + ".."
                        + (from + chunk.size() - 1) + " with " + name + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Runs the session on int64 inputs and returns its single float output {@code (rows, columns)}. */
    private float[][] run(Map<String, long[][]> inputs) throws OrtException {
        Map<String, OnnxTensor> tensors = new java.util.LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[][]> e : inputs.entrySet()) {
                long[][] v = e.getValue();
                int cols = v.length == 0 ? 0 : v[0].length;
                long[] flat = new long[v.length * cols];
                for (int i = 0; i < v.length; i++) {
                    System.arraycopy(v[i], 0, flat, i * cols, cols);
                }
                tensors.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(flat),
                        new long[] {v.length, cols}));
            }
            try (OrtSession.Result result = session.run(tensors)) {
                return (float[][]) result.get(0).getValue();
            }
        } finally {
            for (OnnxTensor t : tensors.values()) {
                t.close();
            }
        }
    }

    /** Ranks like {@code SasRecRecommender}: deduplicated candidates, ties by ascending id, unknown items last. */
    private final class SasRecRanker implements Ranker {
        private final int[] items;
        private final int maxLength;

        SasRecRanker(int[] items, int maxLength) {
            this.items = items.clone();
            for (int i = 1; i < this.items.length; i++) {
                if (this.items[i] <= this.items[i - 1]) {
                    throw new IllegalArgumentException("The SASRec export's items must be ascending and distinct; "
                            + "item " + this.items[i] + " at position " + i + " is not.");
                }
            }
            this.maxLength = maxLength;
        }

        private int indexOf(int itemId) {
            int i = Arrays.binarySearch(items, itemId);
            return i >= 0 ? i + 1 : 0;
        }

        @Override
        public List<Ranking> rank(List<RankingRequest> requests) throws OrtException {
            int n = requests.size();
            List<long[]> histories = new ArrayList<>(n);
            List<List<Integer>> candidates = new ArrayList<>(n);
            int length = 1;
            int width = 1;
            for (RankingRequest r : requests) {
                long[] known = new long[maxLength];
                int k = 0;
                List<Integer> h = r.history();
                for (int i = h.size() - 1; i >= 0 && k < maxLength; i--) {
                    int idx = indexOf(h.get(i));
                    if (idx > 0) {
                        known[maxLength - 1 - k++] = idx;
                    }
                }
                histories.add(Arrays.copyOfRange(known, maxLength - k, maxLength));
                length = Math.max(length, k);
                List<Integer> c = List.copyOf(new LinkedHashSet<>(r.candidates()));
                candidates.add(c);
                width = Math.max(width, c.size());
            }
            long[][] seq = new long[n][length];
            long[][] cand = new long[n][width];
            for (int r = 0; r < n; r++) {
                long[] h = histories.get(r);
                System.arraycopy(h, 0, seq[r], length - h.length, h.length);
                List<Integer> c = candidates.get(r);
                for (int j = 0; j < c.size(); j++) {
                    cand[r][j] = indexOf(c.get(j));
                }
            }
            float[][] scores = run(Map.of(SasRecOnnxExporter.ITEMS_INPUT, seq,
                    SasRecOnnxExporter.CANDIDATES_INPUT, cand));
            List<Ranking> out = new ArrayList<>(n);
            for (int r = 0; r < n; r++) {
                List<Integer> c = candidates.get(r);
                List<ScoredItem> scored = new ArrayList<>(c.size());
                for (int j = 0; j < c.size(); j++) {
                    scored.add(new ScoredItem(c.get(j), cand[r][j] == 0 ? UNKNOWN_ITEM_SCORE : scores[r][j]));
                }
                scored.sort(SASREC_ORDER);
                out.add(new Ranking(requests.get(r).userId(), scored));
            }
            return out;
        }
    }

    /**
     * Ranks like {@code LikelihoodRecommender}: each candidate by the summed log-probability of its answer tokens,
     * ties in presentation order. A request's prompt is one row scoring every answer's first token; each further
     * answer token is a row of the prompt plus the answer so far (so multi-token answers need no KV cache).
     */
    private final class PolicyRanker implements Ranker {
        private final TextTokenizer tokenizer;
        private final List<PromptBuilder> views;
        private final AnswerScope scope;
        private final long padId;
        private final int contextLength;

        PolicyRanker(TextTokenizer tokenizer, PromptBuilder prompts, AnswerScope scope, RankingView view, int padId,
                     int contextLength) {
            this.tokenizer = tokenizer;
            this.views = new ArrayList<>(2);
            if (view.usesCandidates()) {
                views.add(prompts);
            }
            if (view.usesHistory()) {
                views.add(prompts.withStyle(PromptBuilder.Style.SEQUENCE));
            }
            this.scope = scope;
            this.padId = padId;
            this.contextLength = contextLength;
        }

        /** One row: its tokens, the tokens scored after them, and where each score goes. */
        private record Row(int[] tokens, int[] targets, int[][] destinations) {
        }

        @Override
        public List<Ranking> rank(List<RankingRequest> requests) throws OrtException {
            List<Row> rows = new ArrayList<>();
            double[][] totals = new double[requests.size()][];
            for (int q = 0; q < requests.size(); q++) {
                totals[q] = new double[requests.get(q).candidates().size()];
            }
            // Every view's rows add their log-likelihoods into the same totals: the views' scores are summed.
            for (PromptBuilder prompts : views) {
                addRows(requests, prompts, rows);
            }
            for (int from = 0; from < rows.size(); from += config.batchSize()) {
                score(rows.subList(from, Math.min(rows.size(), from + config.batchSize())), totals);
            }
            List<Ranking> out = new ArrayList<>(requests.size());
            for (int q = 0; q < requests.size(); q++) {
                RankingRequest r = requests.get(q);
                List<ScoredItem> items = new ArrayList<>(totals[q].length);
                for (int j = 0; j < totals[q].length; j++) {
                    items.add(new ScoredItem(r.candidates().get(j), totals[q][j]));
                }
                out.add(Ranking.sorted(r.userId(), items));
            }
            return out;
        }

        /** The rows that score every request's candidates under {@code prompts}. */
        private void addRows(List<RankingRequest> requests, PromptBuilder prompts, List<Row> rows) {
            for (int q = 0; q < requests.size(); q++) {
                RankingRequest r = requests.get(q);
                int[] prompt = tokenizer.encode(prompts.prompt(r));
                List<Integer> cands = r.candidates();
                List<Integer> firstTargets = new ArrayList<>();
                List<int[]> firstDest = new ArrayList<>();
                for (int j = 0; j < cands.size(); j++) {
                    int[] answer = LikelihoodRecommender.answerTokens(tokenizer, prompts, scope, cands.get(j));
                    if (prompt.length + answer.length - 1 > contextLength) {
                        throw new IllegalArgumentException("Request " + r.userId() + ", candidate " + cands.get(j)
                                + ": " + (prompt.length + answer.length - 1) + " tokens exceed the model's context "
                                + "length " + contextLength + ".");
                    }
                    if (answer.length == 0) {
                        continue;
                    }
                    firstTargets.add(answer[0]);
                    firstDest.add(new int[] {q, j});
                    for (int i = 1; i < answer.length; i++) {
                        int[] tokens = Arrays.copyOf(prompt, prompt.length + i);
                        System.arraycopy(answer, 0, tokens, prompt.length, i);
                        rows.add(new Row(tokens, new int[] {answer[i]}, new int[][] {{q, j}}));
                    }
                }
                rows.add(new Row(prompt, firstTargets.stream().mapToInt(Integer::intValue).toArray(),
                        firstDest.toArray(new int[0][])));
            }
        }

        private void score(List<Row> rows, double[][] totals) throws OrtException {
            int n = rows.size();
            int length = 1;
            int width = 1;
            for (Row row : rows) {
                length = Math.max(length, row.tokens().length);
                width = Math.max(width, row.targets().length);
            }
            long[][] ids = new long[n][length];
            long[][] mask = new long[n][length];
            long[][] targets = new long[n][width];
            for (int r = 0; r < n; r++) {
                int[] t = rows.get(r).tokens();
                int offset = length - t.length;
                Arrays.fill(ids[r], 0, offset, padId);
                for (int i = 0; i < t.length; i++) {
                    ids[r][offset + i] = t[i];
                    mask[r][offset + i] = 1;
                }
                int[] c = rows.get(r).targets();
                for (int j = 0; j < c.length; j++) {
                    targets[r][j] = c[j];
                }
            }
            Map<String, long[][]> inputs = new java.util.LinkedHashMap<>();
            inputs.put(PolicyOnnxExporter.TOKENS_INPUT, ids);
            inputs.put(PolicyOnnxExporter.MASK_INPUT, mask);
            inputs.put(PolicyOnnxExporter.TARGETS_INPUT, targets);
            float[][] lp = run(inputs);
            for (int r = 0; r < n; r++) {
                int[][] dest = rows.get(r).destinations();
                for (int j = 0; j < dest.length; j++) {
                    totals[dest[j][0]][dest[j][1]] += lp[r][j];
                }
            }
        }
    }

    /** Closes the session (and the tokenizer of a policy). */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot close the ONNX Runtime session of " + name + ".", e);
        } finally {
            if (extra != null) {
                try {
                    extra.close();
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot close the tokenizer of " + name + ".", e);
                }
            }
        }
    }
}
