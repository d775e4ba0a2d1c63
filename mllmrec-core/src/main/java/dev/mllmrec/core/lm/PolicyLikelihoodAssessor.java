package dev.mllmrec.core.lm;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.ConfidenceAssessor;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Judges a chain-of-thought by how much it helps a policy predict the right answer:
 * {@code gain = log p(answer | prompt + CoT) - log p(answer | prompt)}. A trace is kept when it is valid and its
 * gain exceeds the threshold. The prompt texts come from a {@link PromptRenderer} (the prompt builder), so this
 * class knows nothing of the prompt format.
 *
 * <p>Thread-safe when the renderer is.
 */
public final class PolicyLikelihoodAssessor implements ConfidenceAssessor {

    /** The name under which the gain appears in {@link Assessment#scores()}. */
    public static final String NAME = "policy_likelihood";

    /** Renders a sample's prompt (with the reasoning when {@code cot} is not {@code null}) and its answer. */
    @FunctionalInterface
    public interface PromptRenderer {
        /** The prompt and target answer texts for {@code sample}, with {@code cot} injected when non-null. */
        PromptAndAnswer render(RecommendationSample sample, CotTrace cot);
    }

    /**
     * A rendered prompt and the answer whose likelihood is measured.
     *
     * @param prompt the prompt text
     * @param answer the answer text, for example {@code [ITEM_12] Toy Story (1995)}
     */
    public record PromptAndAnswer(String prompt, String answer) {
        /** Validates. */
        public PromptAndAnswer {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(answer, "answer");
        }
    }

    private final SequenceScorer scorer;
    private final TextTokenizer tokenizer;
    private final PromptRenderer renderer;
    private final double threshold;

    /**
     * An assessor.
     *
     * @param model     the policy
     * @param tokenizer the policy's tokenizer
     * @param renderer  renders prompts with and without the reasoning
     * @param threshold the least gain (in nats) for a trace to be kept; 0 keeps traces that help at all
     */
    public PolicyLikelihoodAssessor(PolicyModel model, TextTokenizer tokenizer, PromptRenderer renderer,
                                    double threshold) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.scorer = new SequenceScorer(model, tokenizer.specialTokens().pad());
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("The threshold must be a number.");
        }
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Assessment assess(CotTrace trace, RecommendationSample sample) {
        return assessAll(List.of(trace), List.of(sample)).get(0);
    }

    /** Assesses many traces at once (batched scoring); {@code samples.get(i)} is the sample of trace {@code i}. */
    public List<Assessment> assessAll(List<CotTrace> traces, List<RecommendationSample> samples) {
        if (traces.size() != samples.size()) {
            throw new IllegalArgumentException("There are " + traces.size() + " traces but " + samples.size()
                    + " samples.");
        }
        List<ScoringRequest> requests = new ArrayList<>(2 * traces.size());
        for (int i = 0; i < traces.size(); i++) {
            CotTrace trace = traces.get(i);
            RecommendationSample sample = samples.get(i);
            if (!trace.sampleId().equals(sample.sampleId())) {
                throw new IllegalArgumentException("Trace " + i + " is for sample " + trace.sampleId()
                        + " but was paired with sample " + sample.sampleId() + ".");
            }
            PromptAndAnswer with = renderer.render(sample, trace);
            PromptAndAnswer plain = renderer.render(sample, null);
            requests.add(new ScoringRequest(tokenizer.encode(with.prompt()),
                    List.of(tokenizer.encode(with.answer()))));
            requests.add(new ScoringRequest(tokenizer.encode(plain.prompt()),
                    List.of(tokenizer.encode(plain.answer()))));
        }
        List<double[]> scores = scorer.score(requests);
        List<Assessment> out = new ArrayList<>(traces.size());
        for (int i = 0; i < traces.size(); i++) {
            double withCot = scores.get(2 * i)[0];
            double plain = scores.get(2 * i + 1)[0];
            double gain = withCot - plain;
            CotTrace trace = traces.get(i);
            boolean kept = trace.valid() && gain > threshold;
            String reason = !trace.valid() ? "invalid-trace"
                    : kept ? NAME + ":gain>" + threshold : NAME + ":gain<=" + threshold;
            out.add(new Assessment(trace.sampleId(), kept, gain, reason,
                    Map.of(NAME, gain, NAME + ".logp_with_cot", withCot, NAME + ".logp_plain", plain)));
        }
        return out;
    }
}
