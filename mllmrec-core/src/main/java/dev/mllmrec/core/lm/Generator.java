package dev.mllmrec.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.core.lm.tokenizer.SpecialTokens;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Continues a batch of prompts of different lengths with a {@link PolicyModel}: one prefill pass over the
 * left-padded prompts fills a {@link KvCache} (rows with identical prompts, such as a GRPO group, share one prefill
 * row that is then fanned out), then each step feeds only the newest token of every unfinished row.
 * Rows that stop are dropped from the batch. Sampling ({@link Sampling}) happens in Java from a per-row
 * {@link SeededRandom}, so results depend only on the prompts, the config and the seed, not on batch composition.
 *
 * <p>Thread-safe: it holds no mutable state; concurrent calls are as safe as the model's inference.
 */
public final class Generator {

    private final PolicyModel model;
    private final TextTokenizer tokenizer;
    private final SpecialTokens special;
    private final int[] itemTokenIds;

    /** A generator over {@code model} with the ids of {@code tokenizer}. */
    public Generator(PolicyModel model, TextTokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.special = tokenizer.specialTokens();
        int v = Math.min(tokenizer.vocabSize(), model.vocabSize());
        int[] items = new int[v];
        int n = 0;
        for (int id = 0; id < v; id++) {
            if (tokenizer.itemIdOf(id) >= 0) {
                items[n++] = id;
            }
        }
        this.itemTokenIds = Arrays.copyOf(items, n);
    }

    /** The tokenizer. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Continues each prompt (token ids) without item constraints. */
    public List<Generation> generate(List<int[]> prompts, GenerationConfig config) {
        return generate(prompts, config, null);
    }

    /** Continues each prompt text and returns the decoded continuations (stop token and specials left out). */
    public List<String> generateText(List<String> prompts, GenerationConfig config) {
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            ids.add(tokenizer.encode(p));
        }
        List<String> out = new ArrayList<>(prompts.size());
        for (Generation g : generate(ids, config, null)) {
            out.add(tokenizer.decode(g.contentTokens(), true));
        }
        return out;
    }

    /**
     * Continues each prompt.
     *
     * @param prompts     token ids, at least one per prompt
     * @param config      decoding settings
     * @param constraints per prompt, the item tokens it may generate (an entry or the whole list may be
     *                    {@code null}: unconstrained)
     * @return one generation per prompt, in order
     */
    public List<Generation> generate(List<int[]> prompts, GenerationConfig config, List<ItemConstraint> constraints) {
        return generate(prompts, config, constraints, null);
    }

    /**
     * Continues each prompt, a row with an {@link AnswerTrie} spelling exactly one of the trie's sequences: at each
     * step only the tokens its trie allows next can be generated, and the row stops where its sequence ends (with
     * {@link Generation.StopReason#EOS} when that last token is the end of sequence and {@code stopOnEos} is set,
     * else {@link Generation.StopReason#STOP_TOKEN}). This is the candidate constraint of answers that take several
     * tokens (a pretrained tokenizer without a token per item).
     *
     * @param constraints per prompt, the item tokens it may generate (may be {@code null}, as may its entries)
     * @param tries       per prompt, the answer sequences it must spell (may be {@code null}, as may its entries);
     *                    a row has a constraint or a trie, not both
     */
    public List<Generation> generate(List<int[]> prompts, GenerationConfig config, List<ItemConstraint> constraints,
                                     List<AnswerTrie> tries) {
        if (prompts.isEmpty()) {
            return List.of();
        }
        if (constraints != null && constraints.size() != prompts.size()) {
            throw new IllegalArgumentException("There are " + prompts.size() + " prompts but " + constraints.size()
                    + " constraints.");
        }
        if (tries != null && tries.size() != prompts.size()) {
            throw new IllegalArgumentException("There are " + prompts.size() + " prompts but " + tries.size()
                    + " answer tries.");
        }
        int v = model.vocabSize();
        Row[] rows = new Row[prompts.size()];
        int longest = 0;
        for (int i = 0; i < rows.length; i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new IllegalArgumentException("Prompt " + i + " is empty: generation needs at least one token.");
            }
            longest = Math.max(longest, p.length);
            rows[i] = new Row(p, new SeededRandom(SeededRandom.mix(config.seed(), i)),
                    constraints == null ? null : constraints.get(i), v);
            AnswerTrie trie = tries == null ? null : tries.get(i);
            if (trie != null) {
                if (rows[i].constraint != null) {
                    throw new IllegalArgumentException("Prompt " + i + " has both an item constraint and an answer "
                            + "trie; give it one.");
                }
                rows[i].trie = trie;
            }
        }
        if (longest + config.maxNewTokens() - 1 > model.contextLength()) {
            throw new IllegalArgumentException("The longest prompt (" + longest + " tokens) plus "
                    + config.maxNewTokens() + " new tokens exceeds the model's context length "
                    + model.contextLength() + ".");
        }
        // Rows with the same prompt (a GRPO group) share one prefill pass; the cache is then fanned out.
        int[] rowToDistinct = new int[rows.length];
        int[] distinct = distinctPrompts(prompts, rowToDistinct);
        TokenSampler sampler = new TokenSampler(config.sampling());
        float[] scratch = new float[v];
        int[] active = new int[rows.length];
        for (int i = 0; i < active.length; i++) {
            active[i] = i;
        }
        try (GradMode ignored = GradMode.disabled(); NDManager gm = model.manager().newSubManager();
             KvCache cache = config.useCache() ? model.newCache(gm, distinct.length) : null) {
            float[] logits = config.useCache() ? sharedPrefill(gm, rows, distinct, rowToDistinct, cache, v)
                    : fullForward(gm, rows, active);
            for (int step = 0; step < config.maxNewTokens(); step++) {
                int stillActive = 0;
                int[] next = new int[active.length];
                int[] keep = new int[active.length];
                for (int a = 0; a < active.length; a++) {
                    Row row = rows[active[a]];
                    System.arraycopy(logits, a * v, scratch, 0, v);
                    boolean itemDecision = row.awaitingItem && row.forced == null;
                    float[] constrained = row.trie != null ? applyTrie(row, scratch)
                            : applyConstraint(row, scratch, step);
                    int token;
                    float logProb;
                    if (itemDecision && config.itemListSize() > 1 && row.itemList == null) {
                        // The row's first item decision draws the list; a later one (after a think block that
                        // followed a free answer) samples one item as any other token.
                        row.itemList = rankedList(constrained, row.allowedIds, config.itemListSize(),
                                config.sampling().temperature(), row.rng);
                        row.itemPosition = row.length;
                        token = row.itemList[0];
                        logProb = (float) rankedListLogProb(logits, a * v, row.allowedIds, row.itemList);
                    } else {
                        token = sampler.sample(constrained, row.rng);
                        logProb = TokenSampler.logProb(logits, a * v, v, token);
                    }
                    row.add(token, logProb);
                    row.advanceForced(token);
                    Generation.StopReason stop = stopReason(row, token, config);
                    if (row.trie != null) {
                        row.trieNode = row.trie.next(row.trieNode, token);
                        if (row.trieNode < 0) {
                            throw new IllegalStateException("Row " + active[a] + " generated token " + token
                                    + ", which its answer trie does not allow (non-finite logits?).");
                        }
                        if (stop == null && row.trie.isEnd(row.trieNode)) {
                            stop = Generation.StopReason.STOP_TOKEN;
                        }
                    }
                    if (stop == null && row.length == config.maxNewTokens()) {
                        stop = Generation.StopReason.LENGTH;
                    }
                    if (stop != null) {
                        row.stop = stop;
                    } else {
                        next[stillActive] = active[a];
                        keep[stillActive++] = a;
                    }
                }
                if (stillActive == 0) {
                    break;
                }
                if (stillActive < active.length) {
                    active = Arrays.copyOf(next, stillActive);
                    if (cache != null) {
                        cache.selectRows(Arrays.copyOf(keep, stillActive));
                    }
                }
                logits = config.useCache() ? nextStep(gm, rows, active, cache) : fullForward(gm, rows, active);
            }
        }
        List<Generation> out = new ArrayList<>(rows.length);
        for (Row row : rows) {
            out.add(new Generation(Arrays.copyOf(row.tokens, row.length), Arrays.copyOf(row.logProbs, row.length),
                    row.stop == null ? Generation.StopReason.LENGTH : row.stop,
                    row.itemList == null ? new int[0] : row.itemList, row.itemList == null ? -1 : row.itemPosition));
        }
        return out;
    }

    private Generation.StopReason stopReason(Row row, int token, GenerationConfig config) {
        if (token == special.thinkStart()) {
            row.inThink = true;
            row.awaitingItem = false;
        } else if (token == special.thinkEnd() && row.inThink) {
            row.inThink = false;
            row.awaitingItem = row.constraint != null && row.constraint.itemFirst();
        } else {
            row.awaitingItem = false;
        }
        if (config.stopOnEos() && token == special.eos()) {
            return Generation.StopReason.EOS;
        }
        if (config.stopOnNewline() && token == special.newline() && !row.inThink) {
            return Generation.StopReason.NEWLINE;
        }
        for (int s : config.extraStopIds()) {
            if (token == s) {
                return Generation.StopReason.STOP_TOKEN;
            }
        }
        return null;
    }

    /** Only the tokens the row's answer trie allows after what it generated so far. */
    private static float[] applyTrie(Row row, float[] logits) {
        float[] only = new float[logits.length];
        Arrays.fill(only, Float.NEGATIVE_INFINITY);
        for (int id : row.trie.allowed(row.trieNode)) {
            if (id >= logits.length) {
                throw new IllegalArgumentException("Answer trie token " + id + " is outside the vocabulary.");
            }
            only[id] = logits[id];
        }
        return only;
    }

    private float[] applyConstraint(Row row, float[] logits, int step) {
        ItemConstraint c = row.constraint;
        if (c == null) {
            return logits;
        }
        if (row.forced != null) {
            // Committed to an item's answer line: its next token is the only choice.
            int token = row.forced[row.forcedAt];
            float[] only = new float[logits.length];
            Arrays.fill(only, Float.NEGATIVE_INFINITY);
            only[token] = logits[token];
            return only;
        }
        if (row.awaitingItem) {
            float[] only = new float[logits.length];
            Arrays.fill(only, Float.NEGATIVE_INFINITY);
            for (int id : row.allowedIds) {
                only[id] = logits[id];
            }
            if (step == 0 && c.thinkFirst() && special.thinkStart() >= 0) {
                only[special.thinkStart()] = logits[special.thinkStart()];
            }
            return only;
        }
        for (int id : itemTokenIds) {
            if (!row.allowed[id]) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
        return logits;
    }

    /**
     * A Plackett-Luce draw of {@code min(k, |allowed|)} distinct allowed ids, best first, from
     * {@code softmax(logits / temperature)} over the allowed ids: the Gumbel top-k trick (each id's key is its
     * scaled logit plus Gumbel noise; the keys' order is the draw). A temperature of 0 or less ranks by the logits.
     * Ties and ids with a logit of minus infinity go last, in {@code allowed}'s order.
     */
    static int[] rankedList(float[] logits, int[] allowed, int k, double temperature, SeededRandom rng) {
        int m = allowed.length;
        double[] keys = new double[m];
        for (int i = 0; i < m; i++) {
            double l = logits[allowed[i]];
            double gumbel = 0;
            if (temperature > 0) {
                double u = rng.nextDouble();
                gumbel = -Math.log(-Math.log(Math.max(u, Double.MIN_VALUE)));
                l /= temperature;
            }
            keys[i] = l + gumbel;
        }
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Double.compare(keys[y], keys[x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int[] out = new int[Math.min(k, m)];
        for (int i = 0; i < out.length; i++) {
            out[i] = allowed[order[i]];
        }
        return out;
    }

    /**
     * The Plackett-Luce log-probability of {@code list} (distinct ids, best first) under the softmax of
     * {@code logits[offset + id]} over {@code candidates} at temperature 1:
     * {@code sum_j [l(a_j) - log sum_{i in C minus a_0..a_{j-1}} exp l(i)]}. Shift-invariant, so raw logits and
     * log-probabilities give the same value.
     */
    public static double rankedListLogProb(float[] logits, int offset, int[] candidates, int[] list) {
        double max = Double.NEGATIVE_INFINITY;
        for (int id : candidates) {
            max = Math.max(max, logits[offset + id]);
        }
        boolean[] used = new boolean[candidates.length];
        double total = 0;
        for (int a : list) {
            double sum = 0;
            int at = -1;
            for (int i = 0; i < candidates.length; i++) {
                if (!used[i]) {
                    sum += Math.exp(logits[offset + candidates[i]] - max);
                    if (at < 0 && candidates[i] == a) {
                        at = i;
                    }
                }
            }
            if (at < 0) {
                throw new IllegalArgumentException("List entry " + a + " is not a remaining candidate of "
                        + Arrays.toString(candidates) + ".");
            }
            used[at] = true;
            total += logits[offset + a] - (max + Math.log(sum));
        }
        return total;
    }

    /** The first row of each distinct prompt; {@code rowToDistinct[i]} is row i's index among them. */
    private static int[] distinctPrompts(List<int[]> prompts, int[] rowToDistinct) {
        java.util.Map<PromptKey, Integer> seen = new java.util.HashMap<>();
        int[] firstRows = new int[prompts.size()];
        int n = 0;
        for (int i = 0; i < prompts.size(); i++) {
            Integer d = seen.putIfAbsent(new PromptKey(prompts.get(i)), n);
            if (d == null) {
                firstRows[n] = i;
                rowToDistinct[i] = n++;
            } else {
                rowToDistinct[i] = d;
            }
        }
        return Arrays.copyOf(firstRows, n);
    }

    /** A prompt compared by content. */
    private record PromptKey(int[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof PromptKey k && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }
    }

    /** Prefills each distinct prompt once, then fans the cache and the last logits out to every row. */
    private float[] sharedPrefill(NDManager gm, Row[] rows, int[] distinct, int[] rowToDistinct, KvCache cache,
                                  int v) {
        float[] first = prefill(gm, rows, distinct, cache);
        if (distinct.length == rows.length) {
            return first;
        }
        cache.selectRows(rowToDistinct);
        float[] logits = new float[rows.length * v];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(first, rowToDistinct[i] * v, logits, i * v, v);
        }
        return logits;
    }

    private float[] prefill(NDManager gm, Row[] rows, int[] active, KvCache cache) {
        int longest = 0;
        for (int r : active) {
            longest = Math.max(longest, rows[r].prompt.length);
        }
        int b = active.length;
        long[] tokens = new long[b * longest];
        long[] positions = new long[b * longest];
        float[] mask = new float[b * longest];
        boolean padded = false;
        int pad = Math.max(0, special.pad());
        for (int a = 0; a < b; a++) {
            int[] p = rows[active[a]].prompt;
            int offset = longest - p.length;
            padded |= offset > 0;
            for (int t = 0; t < longest; t++) {
                int i = a * longest + t;
                if (t < offset) {
                    tokens[i] = pad;
                } else {
                    tokens[i] = p[t - offset];
                    positions[i] = t - offset;
                    mask[i] = 1f;
                }
            }
        }
        try (NDManager step = gm.newSubManager()) {
            Shape shape = new Shape(b, longest);
            NDArray hidden = model.hidden(step.create(tokens, shape), step.create(positions, shape),
                    padded ? step.create(mask, shape) : null, cache);
            return model.logits(hidden.get(new NDIndex(":, -1, :"))).toFloatArray();
        }
    }

    private float[] nextStep(NDManager gm, Row[] rows, int[] active, KvCache cache) {
        int b = active.length;
        long[] tokens = new long[b];
        long[] positions = new long[b];
        for (int a = 0; a < b; a++) {
            Row row = rows[active[a]];
            tokens[a] = row.tokens[row.length - 1];
            positions[a] = row.prompt.length + row.length - 1;
        }
        try (NDManager step = gm.newSubManager()) {
            Shape shape = new Shape(b, 1);
            NDArray hidden = model.hidden(step.create(tokens, shape), step.create(positions, shape), null, cache);
            return model.logits(hidden.get(new NDIndex(":, -1, :"))).toFloatArray();
        }
    }

    /** The uncached path: re-runs every active row's whole sequence and returns the last position's logits. */
    private float[] fullForward(NDManager gm, Row[] rows, int[] active) {
        int longest = 0;
        for (int r : active) {
            longest = Math.max(longest, rows[r].prompt.length + rows[r].length);
        }
        int b = active.length;
        long[] tokens = new long[b * longest];
        long[] positions = new long[b * longest];
        float[] mask = new float[b * longest];
        int pad = Math.max(0, special.pad());
        for (int a = 0; a < b; a++) {
            Row row = rows[active[a]];
            int len = row.prompt.length + row.length;
            int offset = longest - len;
            for (int t = 0; t < longest; t++) {
                int i = a * longest + t;
                if (t < offset) {
                    tokens[i] = pad;
                } else {
                    int j = t - offset;
                    tokens[i] = j < row.prompt.length ? row.prompt[j] : row.tokens[j - row.prompt.length];
                    positions[i] = j;
                    mask[i] = 1f;
                }
            }
        }
        try (NDManager step = gm.newSubManager()) {
            Shape shape = new Shape(b, longest);
            NDArray hidden = model.hidden(step.create(tokens, shape), step.create(positions, shape),
                    step.create(mask, shape), null);
            return model.logits(hidden.get(new NDIndex(":, -1, :"))).toFloatArray();
        }
    }

    /** One prompt's decoding state. */
    private static final class Row {
        final int[] prompt;
        final SeededRandom rng;
        final ItemConstraint constraint;
        final boolean[] allowed;
        int[] tokens = new int[16];
        float[] logProbs = new float[16];
        int length;
        boolean inThink;
        boolean awaitingItem;
        Generation.StopReason stop;
        final int[] allowedIds;
        /** The answer line being forced (null: none), and the index of its next token. */
        int[] forced;
        int forcedAt;
        /** The ranked list drawn at the item decision (null: none), and the item token's index. */
        int[] itemList;
        int itemPosition = -1;
        /** The answer sequences the row must spell (null: none), and its node in them. */
        AnswerTrie trie;
        int trieNode = AnswerTrie.ROOT;

        Row(int[] prompt, SeededRandom rng, ItemConstraint constraint, int vocab) {
            this.prompt = prompt.clone();
            this.rng = rng;
            this.constraint = constraint;
            this.allowed = constraint == null ? null : new boolean[vocab];
            this.allowedIds = constraint == null ? null : constraint.allowedTokenIds();
            if (constraint != null) {
                for (int id : constraint.allowedTokenIds()) {
                    if (id >= vocab) {
                        throw new IllegalArgumentException("Allowed token id " + id + " is outside the vocabulary.");
                    }
                    allowed[id] = true;
                }
                awaitingItem = constraint.itemFirst();
            }
        }

        /** After {@code token}: moves along a forced line, or starts one when an item with a line was chosen. */
        void advanceForced(int token) {
            if (forced != null) {
                if (++forcedAt == forced.length) {
                    forced = null;
                }
            } else if (constraint != null && allowed[token]) {
                int[] line = constraint.continuation(token);
                if (line != null && line.length > 0) {
                    forced = line;
                    forcedAt = 0;
                }
            }
        }

        void add(int token, float logProb) {
            if (length == tokens.length) {
                tokens = Arrays.copyOf(tokens, length * 2);
                logProbs = Arrays.copyOf(logProbs, length * 2);
            }
            tokens[length] = token;
            logProbs[length++] = logProb;
        }
    }
}
