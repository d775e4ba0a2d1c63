/**
 * The contracts of mllmrec: the records a recommender reads and writes ({@code Item}, {@code Catalog},
 * {@code UserHistory}, {@code RankingRequest}, {@code Ranking}, ...) and the interfaces a user implements
 * ({@code VisualTextualizer}, {@code CotGenerator}, {@code ConfidenceAssessor}, {@code Recommender},
 * {@code RewardFunction}, {@code GrpoTrainer}). It needs nothing beyond {@code java.base}.
 *
 * <p>The other modules are automatic modules with stable names ({@code dev.mllmrec.core}, {@code dev.mllmrec.grpo},
 * {@code dev.mllmrec.onnx}, {@code dev.mllmrec.spark}, {@code dev.mllmrec.examples}): their engines (DJL, ONNX
 * Runtime, Spark) are not modular, so they cannot declare what they export. Their public API is listed in the
 * README's "The public API"; everything else there is implementation without a compatibility promise.
 */
module dev.mllmrec.api {
    exports dev.mllmrec.api;
}
