package dev.mllmrec.core.pipeline;

import dev.mllmrec.core.lm.sft.SftExample;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Item-sequence pre-training examples: each user's training prefix cut into windows of item tokens,
 * {@code history: [ITEM_a] [ITEM_b] ...}, so that next-token training on the window predicts every item from the
 * items before it with a softmax over the whole vocabulary (SASRec's objective with full cross-entropy instead of
 * sampled negatives). It stands in for the pretrained language model the paper starts from: the built-in policy
 * starts from random weights, and one pass over these windows costs about as much as a hundredth of a pass over
 * the prompts while giving every training item a gradient.
 *
 * <p>Windows end every {@code stride} items from the end of the prefix (so the most recent items are always
 * covered) and hold at most {@code length} items; prefixes shorter than two items give none.
 */
public final class ItemSequenceWindows {

    private ItemSequenceWindows() {
    }

    /**
     * The windows of {@code prefixes} as SFT examples whose prompt is {@link PromptBuilder#COMPACT_HISTORY} and whose
     * answer is the window's item tokens separated by spaces; every item of the user's prefix is excluded from the
     * window's sampled negatives, and the examples are open-ended (no end-of-answer token: a window is a stretch of
     * the user's sequence, and a policy that learnt to stop after an item would answer without a title).
     *
     * @throws IllegalArgumentException if {@code length < 2} or {@code stride < 1}
     */
    public static List<SftExample> examples(List<List<Integer>> prefixes, int length, int stride) {
        if (length < 2 || stride < 1) {
            throw new IllegalArgumentException("Item-sequence windows need length >= 2 and stride >= 1; got length "
                    + length + ", stride " + stride + ".");
        }
        List<SftExample> out = new ArrayList<>();
        for (List<Integer> userPrefix : prefixes) {
            List<Integer> prefix = List.copyOf(userPrefix); // one immutable copy shared by the user's windows
            int n = prefix.size();
            if (n < 2) {
                continue;
            }
            for (int end = n; end >= 2; end -= stride) {
                int from = Math.max(0, end - length);
                out.add(new SftExample(PromptBuilder.COMPACT_HISTORY,
                        PromptBuilder.itemSequence(prefix.subList(from, end)), prefix, true));
                if (from == 0) {
                    break;
                }
            }
        }
        return out;
    }
}
