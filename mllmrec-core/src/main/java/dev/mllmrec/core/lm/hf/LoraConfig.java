package dev.mllmrec.core.lm.hf;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Low-rank adapters (LoRA, Hu et al. 2021) on a {@link HfDecoder}'s projections: each chosen weight {@code W}
 * {@code (out, in)} gains {@code (alpha / rank) * B A} with {@code A (rank, in)} drawn uniform in
 * {@code +-1/sqrt(in)} (PEFT's default) and {@code B (out, rank)} zero, so fresh adapters leave the model's
 * outputs unchanged. Only {@code A} and {@code B} train; dropout applies to the adapter's input.
 *
 * @param rank    the adapters' rank {@code r}
 * @param alpha   the scale numerator: the update is multiplied by {@code alpha / rank}
 * @param dropout the dropout rate on the adapter input during training, in {@code [0, 1)}
 * @param targets the projections that get adapters
 * @param seed    the seed of {@code A}'s initialisation
 */
public record LoraConfig(int rank, double alpha, double dropout, Set<Target> targets, long seed) {

    /** A projection that can carry an adapter, by its Hugging Face module name. */
    public enum Target {
        /** Attention query projection. */
        Q("self_attn.q_proj"),
        /** Attention key projection. */
        K("self_attn.k_proj"),
        /** Attention value projection. */
        V("self_attn.v_proj"),
        /** Attention output projection. */
        O("self_attn.o_proj"),
        /** MLP gate projection. */
        GATE("mlp.gate_proj"),
        /** MLP up projection. */
        UP("mlp.up_proj"),
        /** MLP down projection. */
        DOWN("mlp.down_proj");

        private final String module;

        Target(String module) {
            this.module = module;
        }

        /** The module's path inside a decoder layer, e.g. {@code self_attn.q_proj}. */
        public String module() {
            return module;
        }

        /** The short name: {@code q}, {@code k}, ..., {@code down}. */
        public String shortName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code q}, {@code q_proj} or {@code self_attn.q_proj} (any case). */
        public static Target parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (Target target : values()) {
                if (t.equals(target.shortName()) || t.equals(target.shortName() + "_proj") || t.equals(target.module)) {
                    return target;
                }
            }
            throw new IllegalArgumentException("Unknown LoRA target '" + text + "'; expected one of q, k, v, o, gate, "
                    + "up, down.");
        }
    }

    /** Validates and copies. */
    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("The LoRA rank must be at least 1, got " + rank + ".");
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("The LoRA alpha must be positive, got " + alpha + ".");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("The LoRA dropout must be in [0, 1), got " + dropout + ".");
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target projection.");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** Rank 16, alpha 32, dropout 0.05 on q, k, v, o (the reference's LoRA setup), seed 42. */
    public static LoraConfig defaults() {
        return new LoraConfig(16, 32, 0.05, EnumSet.of(Target.Q, Target.K, Target.V, Target.O), 42L);
    }

    /** The update's scale {@code alpha / rank}. */
    public double scale() {
        return alpha / rank;
    }

    /** Parses a comma-separated target list such as {@code q,k,v,o} or {@code all}. */
    public static Set<Target> parseTargets(String list) {
        if (list.trim().equalsIgnoreCase("all")) {
            return EnumSet.allOf(Target.class);
        }
        EnumSet<Target> out = EnumSet.noneOf(Target.class);
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                out.add(Target.parse(part));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No LoRA targets in '" + list + "'.");
        }
        return out;
    }

    /** The targets' short names in declaration order, e.g. {@code [q, k, v, o]}. */
    public List<String> targetNames() {
        List<String> out = new ArrayList<>();
        for (Target t : Target.values()) {
            if (targets.contains(t)) {
                out.add(t.shortName());
            }
        }
        return out;
    }
}
