package dev.mllmrec.core.lm;

import java.util.Arrays;

/**
 * How {@link Generator} continues prompts: the sampling strategy, the token budget, when to stop, whether to use
 * the KV cache, and the seed. Immutable; build with {@link #builder()}.
 *
 * @param sampling       greedy or sampled decoding
 * @param maxNewTokens   the most tokens generated per prompt (the stop token included)
 * @param stopOnEos      stop after {@code <eos>}
 * @param stopOnNewline  stop after a newline outside a {@code <think>} block (one answer line)
 * @param extraStopIds   further token ids that end a sequence
 * @param useCache       attend to cached keys and values (fast); {@code false} re-runs the whole sequence for
 *                       every token (slow, for tests and benchmarks)
 * @param seed           the seed; row {@code i} samples from {@code SeededRandom(mix(seed, i))}
 * @param itemListSize   at a constrained row's first item decision, how many distinct candidates to draw as a
 *                       ranked list (Plackett-Luce, by Gumbel top-k over the candidates' logits at the sampling's
 *                       temperature, no top-p cut); the first is generated, the list is recorded in
 *                       {@link Generation#itemList()}. 1 (the default) samples the one item as any other token.
 */
public record GenerationConfig(Sampling sampling, int maxNewTokens, boolean stopOnEos, boolean stopOnNewline,
                               int[] extraStopIds, boolean useCache, long seed, int itemListSize) {

    /** The default seed. */
    public static final long DEFAULT_SEED = 42L;

    /** Validates and copies. */
    public GenerationConfig {
        if (sampling == null) {
            throw new IllegalArgumentException("GenerationConfig needs a sampling strategy.");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens + ".");
        }
        if (itemListSize < 1) {
            throw new IllegalArgumentException("itemListSize must be at least 1, got " + itemListSize + ".");
        }
        extraStopIds = extraStopIds == null ? new int[0] : extraStopIds.clone();
    }

    /** The extra stop ids (a copy). */
    @Override
    public int[] extraStopIds() {
        return extraStopIds.clone();
    }

    /** A builder: greedy, 32 new tokens, stop on {@code <eos>} and newline, cache on, seed 42. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && sampling.equals(g.sampling) && maxNewTokens == g.maxNewTokens
                && stopOnEos == g.stopOnEos && stopOnNewline == g.stopOnNewline
                && Arrays.equals(extraStopIds, g.extraStopIds) && useCache == g.useCache && seed == g.seed
                && itemListSize == g.itemListSize;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(sampling, maxNewTokens, stopOnEos, stopOnNewline, Arrays.hashCode(extraStopIds),
                useCache, seed, itemListSize);
    }

    @Override
    public String toString() {
        return "GenerationConfig[" + sampling + ", maxNewTokens=" + maxNewTokens + ", stopOnEos=" + stopOnEos
                + ", stopOnNewline=" + stopOnNewline + ", extraStopIds=" + Arrays.toString(extraStopIds)
                + ", useCache=" + useCache + ", seed=" + seed + ", itemListSize=" + itemListSize + "]";
    }

    /** Builds a {@link GenerationConfig}; every setting has a default. */
    public static final class Builder {
        private Sampling sampling = Sampling.greedy();
        private int maxNewTokens = 32;
        private boolean stopOnEos = true;
        private boolean stopOnNewline = true;
        private int[] extraStopIds = new int[0];
        private boolean useCache = true;
        private long seed = DEFAULT_SEED;
        private int itemListSize = 1;

        private Builder() {
        }

        /** The decoding strategy (default greedy). */
        public Builder optSampling(Sampling s) {
            sampling = s;
            return this;
        }

        /** The token budget (default 32). */
        public Builder optMaxNewTokens(int n) {
            maxNewTokens = n;
            return this;
        }

        /** Stop after {@code <eos>} (default true). */
        public Builder optStopOnEos(boolean b) {
            stopOnEos = b;
            return this;
        }

        /** Stop after a newline outside a think block (default true). */
        public Builder optStopOnNewline(boolean b) {
            stopOnNewline = b;
            return this;
        }

        /** Further stop token ids. */
        public Builder optExtraStopIds(int... ids) {
            extraStopIds = ids.clone();
            return this;
        }

        /** Use the KV cache (default true). */
        public Builder optUseCache(boolean b) {
            useCache = b;
            return this;
        }

        /** The seed (default 42). */
        public Builder optSeed(long s) {
            seed = s;
            return this;
        }

        /**
         * Candidates drawn as a ranked list at a constrained item decision (default 1: one item, sampled like any
         * other token).
         */
        public Builder optItemListSize(int k) {
            itemListSize = k;
            return this;
        }

        /** Builds. */
        public GenerationConfig build() {
            return new GenerationConfig(sampling, maxNewTokens, stopOnEos, stopOnNewline, extraStopIds, useCache,
                    seed, itemListSize);
        }
    }
}
