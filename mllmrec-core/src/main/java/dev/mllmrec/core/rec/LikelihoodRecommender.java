package dev.mllmrec.core.rec;

import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.ScoringRequest;
import dev.mllmrec.core.lm.SequenceScorer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ranks every candidate by the policy's log-likelihood of answering it, {@code log p(answer | prompt)}, where the
 * prompt is the reference prompt of the request (history and candidates). This ranks all candidates, unlike
 * generation, which names one; it is the recommender used for HR@K and NDCG@K of the SFT and GRPO policies.
 *
 * <p>Ties (equal log-likelihoods) keep the candidate presentation order, which the sampler shuffled with a seed.
 *
 * <p>Thread-safe: scoring holds no mutable state, and the model's inference may run concurrently (it must not run
 * while the same model is being trained).
 */
public final class LikelihoodRecommender implements Recommender {

    /** The name used in reports. */
    public static final String NAME = "likelihood";

    private final String name;
    private final TextTokenizer tokenizer;
    private final PromptBuilder prompts;
    private final AnswerScope scope;
    private final RankingView view;
    private final PromptBuilder historyPrompts;
    private final SequenceScorer scorer;

    /**
     * @param name      the model name used in reports (for example {@code sft})
     * @param model     the policy
     * @param tokenizer its tokenizer (item tokens must be single tokens for {@link AnswerScope#ITEM_TOKEN})
     * @param prompts   renders a request as the prompt the policy was trained on
     * @param scope     what part of each answer is scored
     */
    public LikelihoodRecommender(String name, PolicyModel model, TextTokenizer tokenizer, PromptBuilder prompts,
                                 AnswerScope scope) {
        this(name, model, tokenizer, prompts, scope, RankingView.CANDIDATES);
    }

    /**
     * A recommender that scores each candidate under {@code view}: the candidate prompt {@code prompts}, the
     * history prompt of item-sequence pre-training, or the sum of both.
     *
     * @throws IllegalArgumentException when {@code view} scores the history prompt and {@code scope} is not
     *                                  {@link AnswerScope#ITEM_TOKEN} (only a policy pre-trained on item sequences
     *                                  has learnt that prompt)
     */
    public LikelihoodRecommender(String name, PolicyModel model, TextTokenizer tokenizer, PromptBuilder prompts,
                                 AnswerScope scope, RankingView view) {
        this.name = Objects.requireNonNull(name, "name");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.prompts = Objects.requireNonNull(prompts, "prompts");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.view = Objects.requireNonNull(view, "view");
        RankingView.check(view, scope);
        this.historyPrompts = view.usesHistory() ? prompts.withStyle(PromptBuilder.Style.SEQUENCE) : null;
        int pad = Math.max(0, tokenizer.specialTokens().pad());
        this.scorer = new SequenceScorer(model, pad, 16, answersPerPass(model.vocabSize(), scope));
    }

    /**
     * Answers per scoring pass: at most 512, fewer for a large vocabulary so that one pass's logits stay near 2^25
     * floats (128 MB): whole answer lines count as 16 tokens each. Vocabularies up to 65k ranking by item token keep
     * 512; a pretrained 152k vocabulary scoring whole answers gets 13.
     */
    static int answersPerPass(int vocabSize, AnswerScope scope) {
        long budget = scope == AnswerScope.FULL_ANSWER ? (1L << 21) : (1L << 25);
        return (int) Math.max(8, Math.min(512, budget / Math.max(1, vocabSize)));
    }

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
        List<double[]> scores = view.usesCandidates() ? score(requests, prompts) : null;
        if (view.usesHistory()) {
            List<double[]> history = score(requests, historyPrompts);
            if (scores == null) {
                scores = history;
            } else {
                for (int i = 0; i < scores.size(); i++) {
                    double[] a = scores.get(i);
                    double[] b = history.get(i);
                    for (int j = 0; j < a.length; j++) {
                        a[j] += b[j];
                    }
                }
            }
        }
        List<Ranking> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            RankingRequest r = requests.get(i);
            double[] s = scores.get(i);
            List<ScoredItem> items = new ArrayList<>(s.length);
            for (int j = 0; j < s.length; j++) {
                items.add(new ScoredItem(r.candidates().get(j), s[j]));
            }
            out.add(Ranking.sorted(r.userId(), items));
        }
        return out;
    }

    /** Each request's candidates' log-likelihoods under {@code builder}'s prompt. */
    private List<double[]> score(List<RankingRequest> requests, PromptBuilder builder) {
        List<ScoringRequest> scoring = new ArrayList<>(requests.size());
        for (RankingRequest r : requests) {
            int[] prompt = tokenizer.encode(builder.prompt(r));
            List<int[]> answers = new ArrayList<>(r.candidates().size());
            for (int c : r.candidates()) {
                answers.add(answerIds(c));
            }
            scoring.add(new ScoringRequest(prompt, answers));
        }
        return scorer.score(scoring);
    }

    private int[] answerIds(int itemId) {
        return answerTokens(tokenizer, prompts, scope, itemId);
    }

    /**
     * The token ids of candidate {@code itemId}'s answer that a likelihood ranking scores: the item token alone for
     * {@link AnswerScope#ITEM_TOKEN} (the encoded {@code [ITEM_<id>]} text when the vocabulary lacks it), the whole
     * answer line for {@link AnswerScope#FULL_ANSWER}. Shared with the ONNX recommender, so both score the same
     * tokens.
     */
    public static int[] answerTokens(TextTokenizer tokenizer, PromptBuilder prompts, AnswerScope scope,
                                     int itemId) {
        if (scope == AnswerScope.ITEM_TOKEN) {
            int token = tokenizer.itemTokenId(itemId);
            if (token >= 0) {
                return new int[] {token};
            }
            // An item the vocabulary lacks is scored through its text, like any other answer.
            return tokenizer.encode(prompts.answer(itemId).split(" ", 2)[0]);
        }
        return tokenizer.encode(prompts.answer(itemId));
    }
}
