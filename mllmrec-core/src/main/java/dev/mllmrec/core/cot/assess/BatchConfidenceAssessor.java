package dev.mllmrec.core.cot.assess;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.ConfidenceAssessor;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ConfidenceAssessor} that can assess many traces at once (for example to batch an encoder's forward
 * passes). The policy-likelihood assessor of the language-model module can implement this or the plain interface.
 */
public interface BatchConfidenceAssessor extends ConfidenceAssessor {

    /**
     * Assesses {@code traces.get(i)} against {@code samples.get(i)} for every i; the default assesses one by one.
     *
     * @throws IllegalArgumentException when the two lists differ in length
     */
    default List<Assessment> assessAll(List<CotTrace> traces, List<RecommendationSample> samples) {
        if (traces.size() != samples.size()) {
            throw new IllegalArgumentException("Got " + traces.size() + " traces but " + samples.size()
                    + " samples; they must pair up.");
        }
        List<Assessment> out = new ArrayList<>(traces.size());
        for (int i = 0; i < traces.size(); i++) {
            out.add(assess(traces.get(i), samples.get(i)));
        }
        return out;
    }

    /** Assesses with {@code assessor}, in batch when it supports it. */
    static List<Assessment> assessAll(ConfidenceAssessor assessor, List<CotTrace> traces,
                                      List<RecommendationSample> samples) {
        if (assessor instanceof BatchConfidenceAssessor batch) {
            return batch.assessAll(traces, samples);
        }
        return new BatchConfidenceAssessor() {
            @Override
            public String name() {
                return assessor.name();
            }

            @Override
            public Assessment assess(CotTrace trace, RecommendationSample sample) {
                return assessor.assess(trace, sample);
            }
        }.assessAll(traces, samples);
    }
}
