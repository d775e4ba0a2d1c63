package dev.mllmrec.core.lm;

/**
 * How the next token is chosen from the model's distribution: greedily, or by sampling after temperature
 * scaling, an optional top-k cut and an optional nucleus (top-p) cut. DJL has no multinomial sampler, so sampling
 * is done here by the inverse CDF of the kept tokens' probabilities with a {@link SeededRandom}.
 *
 * @param temperature divides the logits; 0 means greedy
 * @param topK        keep the k most likely tokens; 0 keeps all
 * @param topP        keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
 */
public record Sampling(double temperature, int topK, double topP) {

    /** Validates. */
    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("The temperature must be finite and >= 0, got " + temperature + ".");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 keeps all tokens), got " + topK + ".");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP + ".");
        }
    }

    /** Always the most likely token (ties: the lowest id). */
    public static Sampling greedy() {
        return new Sampling(0, 0, 1);
    }

    /** Sampling at {@code temperature} from the whole distribution. */
    public static Sampling temperature(double temperature) {
        return new Sampling(temperature, 0, 1);
    }

    /** Sampling at {@code temperature} among the {@code k} most likely tokens. */
    public static Sampling topK(double temperature, int k) {
        return new Sampling(temperature, k, 1);
    }

    /** Nucleus sampling at {@code temperature} (the reference GRPO setting is 0.9, 0.9). */
    public static Sampling topP(double temperature, double p) {
        return new Sampling(temperature, 0, p);
    }

    /** Whether this is greedy decoding. */
    public boolean isGreedy() {
        return temperature == 0;
    }
}
