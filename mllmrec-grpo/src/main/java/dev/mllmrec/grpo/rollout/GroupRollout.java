package dev.mllmrec.grpo.rollout;

import dev.mllmrec.core.lm.AnswerTrie;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.GenerationConfig;
import dev.mllmrec.core.lm.Generator;
import dev.mllmrec.core.lm.ItemConstraint;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.Sampling;
import dev.mllmrec.core.lm.ScoringRequest;
import dev.mllmrec.core.lm.SequenceScorer;
import dev.mllmrec.core.lm.tokenizer.SpecialTokens;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Samples GRPO groups: each prompt is continued {@code G} times by the policy through the KV-cache
 * {@link Generator} (temperature and top-p sampling, a completion-token budget, stop at {@code <eos>} or at the end
 * of the answer line), optionally constrained to the prompt's candidates: their item tokens when the tokenizer has
 * one per item, otherwise (a pretrained tokenizer) their whole answer lines through an {@link AnswerTrie}, with the
 * tokens the trie forces left out of the loss. It records the generated ids,
 * the mask, the sampling policy's per-token log-probabilities (the "old" log-probs of the clipped objective) and,
 * when a frozen reference policy is given, the reference's per-token log-probabilities for the KL term (one
 * {@link SequenceScorer} pass per prompt, its cache fanned out to the group).
 *
 * <p>Row {@code i} of a batch samples from a generator seeded with {@code mix(seed, i)}, so a batch depends only on
 * the prompts, the weights and the seed.
 *
 * <p>Thread-safe as far as the models' inference is; not while the policy is being updated.
 */
public final class GroupRollout {

    private final PolicyModel policy;
    private final PolicyModel reference;
    private final TextTokenizer tokenizer;
    private final int groupSize;
    private final Sampling sampling;
    private final int maxCompletionTokens;
    private final boolean constrainToCandidates;
    private final IntFunction<String> answerLines;
    private final int rankedList;
    /** Per item, the tokens forced after its item token (its answer line and the end of sequence), encoded once. */
    private final Map<Integer, int[]> forcedLines = new ConcurrentHashMap<>();
    /** Per item, its whole answer line and the end of sequence, encoded once (tokenizers without item tokens). */
    private final Map<Integer, int[]> answerTokens = new ConcurrentHashMap<>();
    private final Generator generator;
    private final SequenceScorer referenceScorer;

    private GroupRollout(Builder b) {
        this.policy = b.policy;
        this.reference = b.reference;
        this.tokenizer = b.tokenizer;
        this.groupSize = b.groupSize;
        this.sampling = b.sampling;
        this.maxCompletionTokens = b.maxCompletionTokens;
        this.constrainToCandidates = b.constrainToCandidates;
        this.answerLines = b.answerLines;
        this.rankedList = b.rankedList;
        this.generator = new Generator(policy, tokenizer);
        this.referenceScorer = reference == null ? null
                : new SequenceScorer(reference, tokenizer.specialTokens().pad(), 8, 8 * groupSize);
    }

    /** A builder; the policy and the tokenizer are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** G, completions per prompt. */
    public int groupSize() {
        return groupSize;
    }

    /** The most prompt tokens kept: longer prompts lose tokens from the left. */
    public int maxPromptTokens() {
        return policy.contextLength() - maxCompletionTokens + 1;
    }

    /** The prompt's token ids as the policy sees them (left-truncated to {@link #maxPromptTokens()}). */
    public int[] encodePrompt(String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("The prompt '" + text + "' has no tokens.");
        }
        int keep = maxPromptTokens();
        return ids.length <= keep ? ids : Arrays.copyOfRange(ids, ids.length - keep, ids.length);
    }

    /**
     * Samples {@code G} completions for each prompt.
     *
     * @param prompts the prompts, at least one
     * @param seed    the batch seed (the trainer derives it from its seed and the step)
     */
    public RolloutBatch generate(List<GrpoPrompt> prompts, long seed) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("A rollout needs at least one prompt.");
        }
        int p = prompts.size();
        int n = p * groupSize;
        List<int[]> promptIds = new ArrayList<>(p);
        List<int[]> rows = new ArrayList<>(n);
        List<ItemConstraint> constraints = constrainToCandidates ? new ArrayList<>(n) : null;
        List<AnswerTrie> tries = constrainToCandidates ? new ArrayList<>(n) : null;
        boolean anyTrie = false;
        for (GrpoPrompt prompt : prompts) {
            int[] ids = encodePrompt(prompt.promptText());
            promptIds.add(ids);
            // One token per item: the item token is constrained (and its line forced). Otherwise (a pretrained
            // tokenizer) the candidates' whole answer lines are spelled through a prefix trie.
            AnswerTrie trie = constrainToCandidates && !hasAnyItemToken(prompt) ? answerTrie(prompt) : null;
            ItemConstraint constraint = constrainToCandidates && trie == null ? constraint(prompt) : null;
            anyTrie |= trie != null;
            for (int g = 0; g < groupSize; g++) {
                rows.add(ids);
                if (constraints != null) {
                    constraints.add(constraint);
                    tries.add(trie);
                }
            }
        }
        GenerationConfig config = GenerationConfig.builder()
                .optSampling(sampling)
                .optMaxNewTokens(maxCompletionTokens)
                .optStopOnEos(true)
                .optStopOnNewline(true)
                .optUseCache(true)
                .optSeed(seed)
                .optItemListSize(rankedList)
                .build();
        long t0 = System.nanoTime();
        List<Generation> generations = generator.generate(rows, config, constraints, anyTrie ? tries : null);
        double generationSeconds = (System.nanoTime() - t0) / 1e9;

        int t = 1;
        for (Generation g : generations) {
            t = Math.max(t, g.tokens().length);
        }
        float[] mask = new float[n * t];
        float[] old = new float[n * t];
        List<int[]> tokens = new ArrayList<>(n);
        List<String> texts = new ArrayList<>(n);
        List<Generation.StopReason> stops = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            Generation g = generations.get(c);
            int[] ids = g.tokens();
            float[] lp = g.logProbs();
            for (int j = 0; j < ids.length; j++) {
                mask[c * t + j] = 1f;
                old[c * t + j] = lp[j];
            }
            if (constraints != null && constraints.get(c) != null) {
                maskForcedLine(constraints.get(c), ids, mask, c * t);
            } else if (tries != null && tries.get(c) != null) {
                maskForcedTokens(tries.get(c), ids, mask, c * t);
            }
            tokens.add(ids);
            texts.add(completionText(g.contentTokens()));
            stops.add(g.stopReason());
        }

        RankedLists lists = rankedList > 1 ? rankedLists(generations, constraints) : null;

        float[] ref = null;
        double referenceSeconds = 0;
        if (referenceScorer != null) {
            long r0 = System.nanoTime();
            List<ScoringRequest> requests = new ArrayList<>(p);
            for (int i = 0; i < p; i++) {
                requests.add(new ScoringRequest(promptIds.get(i), tokens.subList(i * groupSize, (i + 1) * groupSize)));
            }
            List<float[][]> scored = referenceScorer.tokenLogProbs(requests);
            ref = new float[n * t];
            for (int i = 0; i < p; i++) {
                float[][] group = scored.get(i);
                for (int g = 0; g < groupSize; g++) {
                    int c = i * groupSize + g;
                    System.arraycopy(group[g], 0, ref, c * t, group[g].length);
                }
            }
            if (lists != null) {
                referenceListLogProbs(promptIds, lists, ref, t);
            }
            referenceSeconds = (System.nanoTime() - r0) / 1e9;
        }
        return new RolloutBatch(prompts, groupSize, promptIds, tokens, texts, stops, t, mask, old, ref,
                generationSeconds, referenceSeconds, lists);
    }

    /** The generations' ranked lists, with each row's candidates as their support. */
    private static RankedLists rankedLists(List<Generation> generations, List<ItemConstraint> constraints) {
        int n = generations.size();
        int[] positions = new int[n];
        List<int[]> lists = new ArrayList<>(n);
        List<int[]> candidates = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            Generation g = generations.get(c);
            positions[c] = g.itemPosition();
            lists.add(g.itemList());
            candidates.add(positions[c] < 0 ? new int[0] : constraints.get(c).allowedTokenIds());
        }
        return new RankedLists(positions, lists, candidates);
    }

    /**
     * Replaces the reference's log-probability at each list's item position (the first completion token) by the
     * list's Plackett-Luce log-probability under the reference: one scoring pass per prompt over its candidates.
     */
    private void referenceListLogProbs(List<int[]> promptIds, RankedLists lists, float[] ref, int t) {
        int[] positions = lists.positions();
        List<ScoringRequest> requests = new ArrayList<>(promptIds.size());
        List<int[]> candidatesOf = new ArrayList<>(promptIds.size());
        for (int i = 0; i < promptIds.size(); i++) {
            int[] cand = null;
            for (int g = 0; g < groupSize && cand == null; g++) {
                int c = i * groupSize + g;
                if (positions[c] >= 0) {
                    cand = lists.candidates().get(c);
                }
            }
            cand = cand == null ? new int[0] : cand;
            candidatesOf.add(cand);
            List<int[]> answers = new ArrayList<>(cand.length);
            for (int id : cand) {
                answers.add(new int[] {id});
            }
            requests.add(new ScoringRequest(promptIds.get(i), answers.isEmpty() ? List.of(new int[] {0}) : answers));
        }
        List<double[]> scores = referenceScorer.score(requests);
        for (int i = 0; i < promptIds.size(); i++) {
            int[] cand = candidatesOf.get(i);
            float[] byToken = new float[policy.vocabSize()];
            double[] s = scores.get(i);
            for (int j = 0; j < cand.length; j++) {
                byToken[cand[j]] = (float) s[j];
            }
            for (int g = 0; g < groupSize; g++) {
                int c = i * groupSize + g;
                if (positions[c] < 0) {
                    continue;
                }
                if (positions[c] != 0) {
                    throw new IllegalStateException("A ranked list must open the completion; completion " + c
                            + " has it at token " + positions[c] + ".");
                }
                ref[c * t] = (float) RankedLists.listLogProb(byToken, cand, lists.lists().get(c));
            }
        }
    }

    /**
     * The text a reward sees: the generated ids without the stop token, decoded with {@code <think>} and
     * {@code </think>} kept (the reward cuts the answer at {@code </think>}) and padding, end-of-sequence and
     * unknown tokens left out.
     */
    String completionText(int[] content) {
        SpecialTokens s = tokenizer.specialTokens();
        int[] kept = new int[content.length];
        int k = 0;
        for (int id : content) {
            if (id != s.pad() && id != s.eos() && id != s.unk()) {
                kept[k++] = id;
            }
        }
        return tokenizer.decode(Arrays.copyOf(kept, k), false);
    }

    /**
     * Takes the tokens forced after the chosen item (its answer line and the end of sequence) out of the loss:
     * the policy did not choose them, so only the item token carries the advantage.
     */
    static void maskForcedLine(ItemConstraint constraint, int[] ids, float[] mask, int offset) {
        for (int j = 0; j < ids.length; j++) {
            int[] line = constraint.continuations().get(ids[j]); // read only: no copy per scanned token
            if (line != null) {
                for (int f = j + 1; f < Math.min(ids.length, j + 1 + line.length); f++) {
                    mask[offset + f] = 0f;
                }
                return;
            }
        }
    }

    /**
     * Takes the tokens the answer trie forced (those where only one continuation was allowed, such as
     * {@code [ITEM_} and the title after a decided id) out of the loss: only the tokens where the policy chose
     * between candidates carry the advantage.
     */
    static void maskForcedTokens(AnswerTrie trie, int[] ids, float[] mask, int offset) {
        boolean[] chosen = trie.chosen(ids);
        for (int j = 0; j < ids.length; j++) {
            if (!chosen[j]) {
                mask[offset + j] = 0f;
            }
        }
    }

    /** Whether some candidate of {@code prompt} is a single token of the tokenizer (the built-in vocabulary). */
    private boolean hasAnyItemToken(GrpoPrompt prompt) {
        for (int item : prompt.sample().candidates()) {
            if (tokenizer.itemTokenId(item) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The prefix trie over the candidates' whole answer lines, each followed by the end of sequence, for a
     * tokenizer without a token per item.
     *
     * @throws IllegalArgumentException when no answer lines are configured, or a line does not fit the budget
     */
    AnswerTrie answerTrie(GrpoPrompt prompt) {
        if (answerLines == null) {
            throw new IllegalArgumentException("Sample " + prompt.sample().sampleId() + " has no candidate with an "
                    + "item token in this tokenizer; constraining generation to its candidates needs their answer "
                    + "lines (optAnswerLines).");
        }
        if (rankedList > 1) {
            throw new IllegalArgumentException("Ranked lists (k = " + rankedList + ") need one token per item, which "
                    + "this tokenizer has not (sample " + prompt.sample().sampleId() + "); use a ranked list of 1 "
                    + "(--ranked-list 1): the candidates' answer lines are then spelled through a prefix trie.");
        }
        List<int[]> lines = new ArrayList<>(prompt.sample().candidates().size());
        for (int item : prompt.sample().candidates()) {
            lines.add(answerTokens.computeIfAbsent(item, this::answerTokens));
        }
        AnswerTrie trie = AnswerTrie.of(lines);
        if (trie.maxLength() > maxCompletionTokens) {
            throw new IllegalArgumentException("Sample " + prompt.sample().sampleId() + ": a candidate's answer line "
                    + "takes " + trie.maxLength() + " tokens with the end of sequence, more than the completion "
                    + "budget of " + maxCompletionTokens + "; raise the budget (--max-completion-tokens) to at "
                    + "least " + trie.maxLength() + ".");
        }
        return trie;
    }

    /** Item {@code item}'s answer line, then the end of sequence when the tokenizer has one. */
    private int[] answerTokens(int item) {
        String text = answerLines.apply(item);
        int[] line = tokenizer.encode(text);
        if (line.length == 0) {
            throw new IllegalArgumentException("The answer line of item " + item + " ('" + text + "') has no tokens.");
        }
        int eos = tokenizer.specialTokens().eos();
        if (eos < 0) {
            return line;
        }
        int[] out = Arrays.copyOf(line, line.length + 1);
        out[line.length] = eos;
        return out;
    }

    /** The tokens after item {@code item}'s token in its answer line, then the end of sequence. */
    private int[] forcedLine(int item, int itemTokenId) {
        String text = answerLines.apply(item);
        int[] line = tokenizer.encode(text);
        if (line.length == 0 || line[0] != itemTokenId) {
            throw new IllegalArgumentException("The answer line of item " + item + " ('" + text
                    + "') does not start with its item token.");
        }
        int eos = tokenizer.specialTokens().eos();
        int[] rest = Arrays.copyOfRange(line, 1, line.length + (eos >= 0 ? 1 : 0));
        if (eos >= 0) {
            rest[rest.length - 1] = eos;
        }
        return rest;
    }

    private ItemConstraint constraint(GrpoPrompt prompt) {
        List<Integer> candidates = prompt.sample().candidates();
        int[] ids = new int[candidates.size()];
        int k = 0;
        for (int item : candidates) {
            int id = tokenizer.itemTokenId(item);
            if (id >= 0) {
                ids[k++] = id;
            }
        }
        if (k == 0) {
            throw new IllegalArgumentException("Sample " + prompt.sample().sampleId() + " has no candidate with an "
                    + "item token in this tokenizer; generation cannot be constrained to its candidates.");
        }
        if (answerLines == null) {
            return new ItemConstraint(Arrays.copyOf(ids, k), true);
        }
        // Each candidate's whole answer line: the item token chosen, the rest forced, then the end of sequence.
        Map<Integer, int[]> lines = new HashMap<>();
        for (int item : candidates) {
            int id = tokenizer.itemTokenId(item);
            if (id >= 0) {
                lines.put(id, forcedLines.computeIfAbsent(item, i -> forcedLine(i, id)));
            }
        }
        return new ItemConstraint(Arrays.copyOf(ids, k), true, false, lines);
    }

    @Override
    public String toString() {
        return "GroupRollout[G=" + groupSize + ", " + sampling + ", maxCompletionTokens=" + maxCompletionTokens
                + ", constrained=" + constrainToCandidates + ", reference=" + (reference != null) + "]";
    }

    /** Builds a {@link GroupRollout}. Not thread-safe. */
    public static final class Builder {
        private PolicyModel policy;
        private PolicyModel reference;
        private TextTokenizer tokenizer;
        private int groupSize = 8;
        private Sampling sampling = Sampling.topP(0.9, 0.9);
        private int maxCompletionTokens = 24;
        private boolean constrainToCandidates;
        private IntFunction<String> answerLines;
        private int rankedList = 1;

        private Builder() {
        }

        /** The policy that samples (required). */
        public Builder setPolicy(PolicyModel m) {
            policy = m;
            return this;
        }

        /** The policy's tokenizer (required). */
        public Builder setTokenizer(TextTokenizer t) {
            tokenizer = t;
            return this;
        }

        /** The frozen reference policy for the KL term (default none: no reference log-probs). */
        public Builder optReference(PolicyModel m) {
            reference = m;
            return this;
        }

        /** Completions per prompt, G (default 8). */
        public Builder optGroupSize(int g) {
            groupSize = g;
            return this;
        }

        /** The sampling strategy (default temperature 0.9, top-p 0.9). */
        public Builder optSampling(Sampling s) {
            sampling = Objects.requireNonNull(s, "sampling");
            return this;
        }

        /** The completion-token budget, the stop token included (default 24). */
        public Builder optMaxCompletionTokens(int n) {
            maxCompletionTokens = n;
            return this;
        }

        /** Only the prompt's candidate items may be generated, and the answer starts with one (default false). */
        public Builder optConstrainToCandidates(boolean b) {
            constrainToCandidates = b;
            return this;
        }

        /**
         * With {@link #optConstrainToCandidates}: each item's whole answer line (for example
         * {@code [ITEM_12] Toy Story (1995)}, the SFT answer); once the policy has chosen a candidate's item token,
         * the rest of that line is forced, so every completion is a well-formed answer and the reward measures only
         * the choice of the item (default none: the text after the item token is sampled).
         */
        public Builder optAnswerLines(IntFunction<String> lines) {
            answerLines = lines;
            return this;
        }

        /**
         * k, the candidates each completion draws as a ranked list at its item decision (default 1: one item,
         * sampled as any other token); above 1 needs {@link #optConstrainToCandidates}. See {@link RankedLists}.
         */
        public Builder optRankedList(int k) {
            rankedList = k;
            return this;
        }

        /** Validates and builds. */
        public GroupRollout build() {
            if (rankedList < 1 || (rankedList > 1 && !constrainToCandidates)) {
                throw new IllegalArgumentException("A ranked list needs k >= 1 and, for k > 1, generation "
                        + "constrained to the candidates; got k = " + rankedList + ", constrained = "
                        + constrainToCandidates + ".");
            }
            if (policy == null) {
                throw new IllegalArgumentException("GroupRollout.Builder needs the policy: call setPolicy.");
            }
            if (tokenizer == null) {
                throw new IllegalArgumentException("GroupRollout.Builder needs the tokenizer: call setTokenizer.");
            }
            if (groupSize < 1) {
                throw new IllegalArgumentException("The group size G must be at least 1, got " + groupSize + ".");
            }
            if (maxCompletionTokens < 1 || maxCompletionTokens >= policy.contextLength()) {
                throw new IllegalArgumentException("The completion-token budget must be in [1, "
                        + (policy.contextLength() - 1) + "), got " + maxCompletionTokens + ".");
            }
            if (tokenizer.vocabSize() > policy.vocabSize()) {
                throw new IllegalArgumentException("The tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the policy only " + policy.vocabSize() + ".");
            }
            if (reference != null && reference.vocabSize() != policy.vocabSize()) {
                throw new IllegalArgumentException("The reference policy's vocabulary (" + reference.vocabSize()
                        + ") differs from the policy's (" + policy.vocabSize() + ").");
            }
            return new GroupRollout(this);
        }
    }
}
