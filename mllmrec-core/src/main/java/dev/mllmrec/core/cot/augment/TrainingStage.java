package dev.mllmrec.core.cot.augment;

import java.util.Locale;

/** The training stage a prompt file is for, with the reference's full-CoT injection probability. */
public enum TrainingStage {
    /** Supervised fine-tuning: {@code W/train_sft.jsonl}, full CoT with p = 0.1. */
    SFT(0.1),
    /** GRPO: {@code W/train_grpo.jsonl}, full CoT with p = 0.05. */
    GRPO(0.05);

    private final double referenceCotProbability;

    TrainingStage(double p) {
        this.referenceCotProbability = p;
    }

    /** The reference implementation's full-CoT injection probability for this stage. */
    public double referenceCotProbability() {
        return referenceCotProbability;
    }

    /** {@code sft} or {@code grpo}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code sft} or {@code grpo}, ignoring case.
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static TrainingStage parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "sft" -> SFT;
            case "grpo" -> GRPO;
            default -> throw new IllegalArgumentException("Unknown stage '" + text + "'; expected sft or grpo.");
        };
    }
}
