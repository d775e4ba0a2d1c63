package dev.mllmrec.grpo.rollout;

import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.RewardFunction;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.grpo.reward.RecommendationReward;
import dev.mllmrec.grpo.reward.WeightedRewards;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Tiny samples, prompts, tokenizer and models shared by the GRPO loop tests. */
public final class GrpoFixtures {

    /** Items 1..12. */
    public static final int ITEMS = 12;

    private GrpoFixtures() {
    }

    /** Titles "Movie N". */
    public static PromptBuilder prompts() {
        return PromptBuilder.builder().setTitles(id -> "Movie " + id).build();
    }

    /** {@code n} samples with 3 history items and 4 candidates each. */
    public static List<RecommendationSample> samples(int n, int offset) {
        List<RecommendationSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i + offset;
            List<Integer> history = List.of(1 + k % ITEMS, 1 + (k + 1) % ITEMS, 1 + (k + 2) % ITEMS);
            int target = 1 + (k + 3) % ITEMS;
            List<Integer> candidates = List.of(1 + (k + 5) % ITEMS, target, 1 + (k + 7) % ITEMS,
                    1 + (k + 9) % ITEMS);
            out.add(new RecommendationSample("s" + k, "u" + k, history, target, candidates));
        }
        return out;
    }

    /** Plain GRPO prompts over {@link #samples}. */
    public static List<GrpoPrompt> grpoPrompts(int n) {
        PromptBuilder pb = prompts();
        return samples(n, 0).stream().map(s -> new GrpoPrompt(s, pb.prompt(s))).toList();
    }

    /** A word tokenizer over the prompts and answers, with a token per item. */
    public static WordTokenizer tokenizer() {
        PromptBuilder pb = prompts();
        List<String> texts = new ArrayList<>();
        for (RecommendationSample s : samples(ITEMS, 0)) {
            texts.add(pb.prompt(s));
            texts.add(pb.answer(s));
        }
        return WordTokenizer.builder().setTexts(texts).optMinFrequency(1)
                .optItemIds(IntStream.rangeClosed(1, ITEMS).boxed().toList()).build();
    }

    /** A tiny randomly initialised policy. */
    public static CausalLm model(WordTokenizer tokenizer, long seed) {
        LmConfig config = LmConfig.builder().setVocabSize(tokenizer.vocabSize()).optDModel(32).optLayers(2)
                .optHeads(2).optMlpHidden(64).optContextLength(256).build();
        return CausalLm.create(config, seed);
    }

    /**
     * The reference reward plus a deterministic pseudo-random "shape" reward, so that groups of an untrained model
     * (whose answers are all malformed) still have reward variance and non-zero advantages.
     */
    public static WeightedRewards variedRewards() {
        RewardFunction shape = new RewardFunction() {
            @Override
            public String name() {
                return "shape";
            }

            @Override
            public double reward(String completion, RecommendationSample sample) {
                return ((completion.hashCode() * 31 + completion.length()) & 7) / 7.0;
            }
        };
        return WeightedRewards.builder().add(RecommendationReward.reference(), 1.0).add(shape, 1.0).build();
    }
}
