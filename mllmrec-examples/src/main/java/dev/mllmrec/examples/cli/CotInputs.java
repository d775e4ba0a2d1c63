package dev.mllmrec.examples.cli;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.io.TrainingSamples;
import java.nio.file.Path;
import java.util.List;

/** The training windows the chain-of-thought commands read. Thread-safe: stateless. */
final class CotInputs {

    private CotInputs() {
    }

    /** {@code --train-samples} when given, else the single {@code W/samples/train-*}/samples.jsonl of prepare. */
    static List<RecommendationSample> trainSamples(WorkDir w, Path trainSamples) {
        return TrainingSamples.load(trainSamples != null ? trainSamples : TrainingSamples.locate(w));
    }
}
