package dev.mllmrec.grpo.train;

import dev.mllmrec.api.ItemTokens;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.eval.RankingMetrics;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.ScoringRequest;
import dev.mllmrec.core.lm.SequenceScorer;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A small built-in {@link GrpoValidator}: ranks each validation sample's candidates by the policy's
 * log-probability of the candidate's item token right after the prompt (one prompt pass per sample), and reports
 * HR@K, NDCG@K (K = 1, 3, 5, 10) and MRR. Ties keep the candidate order. A recommender-based validator (any
 * {@code Recommender} over the policy evaluated with the {@code Evaluator}) can replace it.
 *
 * <p>Thread-safe when the prompt renderer is.
 */
public final class CandidateLikelihoodValidator implements GrpoValidator {

    /** Vocabularies above this size score fewer answers per pass. */
    private static final int LARGE_VOCABULARY = 65_536;

    private final TextTokenizer tokenizer;
    private final Function<RecommendationSample, String> prompts;
    private final List<RecommendationSample> samples;

    /**
     * A validator over {@code samples}.
     *
     * @param tokenizer the policy's tokenizer
     * @param prompts   renders a sample's prompt exactly as in training (without reasoning)
     * @param samples   the validation samples, at least one
     */
    public CandidateLikelihoodValidator(TextTokenizer tokenizer, Function<RecommendationSample, String> prompts,
                                        List<RecommendationSample> samples) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.prompts = Objects.requireNonNull(prompts, "prompts");
        this.samples = List.copyOf(samples);
        if (this.samples.isEmpty()) {
            throw new IllegalArgumentException("A validator needs at least one validation sample.");
        }
    }

    /** The samples. */
    public List<RecommendationSample> samples() {
        return samples;
    }

    @Override
    public Map<String, Double> validate(PolicyModel policy) {
        int keep = policy.contextLength() - 1;
        List<ScoringRequest> requests = new ArrayList<>(samples.size());
        for (RecommendationSample s : samples) {
            int[] prompt = tokenizer.encode(prompts.apply(s));
            if (prompt.length > keep) {
                prompt = Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
            }
            List<int[]> answers = new ArrayList<>(s.candidates().size());
            for (int c : s.candidates()) {
                int id = tokenizer.itemTokenId(c);
                answers.add(id >= 0 ? new int[] {id} : tokenizer.encode(ItemTokens.token(c)));
            }
            requests.add(new ScoringRequest(prompt, answers));
        }
        // A pretrained vocabulary (152k for Qwen3) scores an [ITEM_<id>] text of several tokens: bound one pass's
        // logits near 2^25 floats instead of 1,024 answers (3 GB); smaller vocabularies keep 1,024 per pass.
        int rows = policy.vocabSize() > LARGE_VOCABULARY
                ? Math.max(8, (1 << 25) / (policy.vocabSize() * 8)) : 1024;
        List<double[]> scores = new SequenceScorer(policy, tokenizer.specialTokens().pad(), 8, rows)
                .score(requests);
        int[] ranks = new int[samples.size()];
        for (int i = 0; i < ranks.length; i++) {
            RecommendationSample s = samples.get(i);
            double[] sc = scores.get(i);
            int t = s.candidates().indexOf(s.target());
            int rank = 0;
            for (int j = 0; j < sc.length; j++) {
                if (sc[j] > sc[t] || (sc[j] == sc[t] && j < t)) {
                    rank++;
                }
            }
            ranks[i] = rank;
        }
        return RankingMetrics.summarize(ranks);
    }
}
