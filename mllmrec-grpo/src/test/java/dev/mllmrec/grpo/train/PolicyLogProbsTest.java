package dev.mllmrec.grpo.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.grpo.rollout.GroupRollout;
import dev.mllmrec.grpo.rollout.GrpoFixtures;
import dev.mllmrec.grpo.rollout.RolloutBatch;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cached, differentiable log-probs against the rollout's and against the uncached pass, values and gradients. */
class PolicyLogProbsTest {

    @Test
    void cachedAndFullPassesAgreeWithTheRolloutAndWithEachOther() {
        WordTokenizer tokenizer = GrpoFixtures.tokenizer();
        try (CausalLm policy = GrpoFixtures.model(tokenizer, 3);
             Adam zero = Adam.adamW(policy.parameters(), policy.manager(), 0.9, 0.99, 1e-8, 0)) {
            RolloutBatch b = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(3)
                    .optMaxCompletionTokens(7).build().generate(GrpoFixtures.grpoPrompts(3), 9);
            int pad = tokenizer.specialTokens().pad();
            zero.zeroGradients();
            Map<String, float[]> cachedGrad = new LinkedHashMap<>();
            float[] cached = run(policy, b, pad, true, cachedGrad);
            zero.zeroGradients();
            Map<String, float[]> fullGrad = new LinkedHashMap<>();
            float[] full = run(policy, b, pad, false, fullGrad);
            zero.zeroGradients();
            float[] old = b.oldLogProbs();
            float[] mask = b.mask();
            for (int i = 0; i < old.length; i++) {
                if (mask[i] > 0) {
                    assertThat(cached[i]).isCloseTo(old[i], within(1e-4f));
                    assertThat(full[i]).isCloseTo(old[i], within(1e-4f));
                }
            }
            for (String name : cachedGrad.keySet()) {
                float[] a = cachedGrad.get(name);
                float[] e = fullGrad.get(name);
                double maxAbs = 0;
                for (float f : e) {
                    maxAbs = Math.max(maxAbs, Math.abs(f));
                }
                assertThat(maxAbs).as("gradient of %s", name).isGreaterThan(0);
                for (int i = 0; i < a.length; i++) {
                    assertThat(a[i]).as("%s[%d]", name, i).isCloseTo(e[i], within((float) (1e-3 * maxAbs + 1e-6)));
                }
            }
        }
    }

    @Test
    void rankedListLogProbsMatchTheRolloutsPlackettLuceValuesAndCarryGradient() {
        WordTokenizer tokenizer = GrpoFixtures.tokenizer();
        try (CausalLm policy = GrpoFixtures.model(tokenizer, 4);
             Adam zero = Adam.adamW(policy.parameters(), policy.manager(), 0.9, 0.99, 1e-8, 0)) {
            RolloutBatch b = GroupRollout.builder().setPolicy(policy).setTokenizer(tokenizer).optGroupSize(3)
                    .optConstrainToCandidates(true).optAnswerLines(GrpoFixtures.prompts()::answer)
                    .optRankedList(3).optMaxCompletionTokens(8).build().generate(GrpoFixtures.grpoPrompts(3), 5);
            int pad = tokenizer.specialTokens().pad();
            zero.zeroGradients();
            try (NDManager sm = policy.manager().newSubManager();
                 GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                PolicyLogProbs.Output lists = PolicyLogProbs.compute(policy, sm, b.promptTokens(),
                        b.completionTokens(), b.groupSize(), b.tokens(), pad, b.rankedLists());
                PolicyLogProbs.Output tokens = PolicyLogProbs.compute(policy, sm, b.promptTokens(),
                        b.completionTokens(), b.groupSize(), b.tokens(), pad);
                float[] got = lists.logProbs().toFloatArray();
                float[] plain = tokens.logProbs().toFloatArray();
                float[] old = b.oldLogProbs();
                float[] mask = b.mask();
                int t = b.tokens();
                for (int c = 0; c < b.size(); c++) {
                    // The item position holds the list's log-probability (Java's, from the rollout) ...
                    assertThat(got[c * t]).isCloseTo(old[c * t], within(1e-4f));
                    assertThat(got[c * t]).isNegative().isNotEqualTo(plain[c * t]);
                    // ... and every other position is the token's own.
                    for (int j = 1; j < t; j++) {
                        assertThat(got[c * t + j]).isEqualTo(plain[c * t + j]);
                    }
                }
                gc.backward(lists.logProbs().mul(sm.create(mask, new Shape(b.size(), t))).sum());
                double norm = 0;
                for (NDArray p : policy.parameters().values()) {
                    for (float f : p.getGradient().toFloatArray()) {
                        norm += f * f;
                    }
                }
                assertThat(norm).isPositive();
            }
            zero.zeroGradients();
        }
    }

    /** Log-probs of the batch, and the gradient of their masked sum by parameter. */
    private static float[] run(CausalLm policy, RolloutBatch b, int pad, boolean cachedPath,
                               Map<String, float[]> grads) {
        try (NDManager sm = policy.manager().newSubManager();
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            PolicyLogProbs.Output out = cachedPath
                    ? PolicyLogProbs.compute(policy, sm, b.promptTokens(), b.completionTokens(), b.groupSize(),
                            b.tokens(), pad)
                    : PolicyLogProbs.computeFull(policy, sm, b.promptTokens(), b.completionTokens(), b.groupSize(),
                            b.tokens(), pad);
            assertThat(out.logProbs().getShape()).isEqualTo(new Shape(b.size(), b.tokens()));
            assertThat(out.entropy().getShape()).isEqualTo(new Shape(b.size(), b.tokens()));
            NDArray mask = sm.create(b.mask(), new Shape(b.size(), b.tokens()));
            gc.backward(out.logProbs().mul(mask).sum());
            for (Map.Entry<String, NDArray> e : policy.parameters().entrySet()) {
                grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
            }
            float[] ent = out.entropy().toFloatArray();
            for (float f : ent) {
                assertThat(f).isBetween(0f, (float) Math.log(policy.vocabSize()) + 1e-3f);
            }
            return out.logProbs().toFloatArray();
        }
    }
}
