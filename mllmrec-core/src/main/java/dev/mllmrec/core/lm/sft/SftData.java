package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.lm.SeededRandom;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenized training examples and their per-epoch batch plans: examples are shuffled, sorted by length within
 * windows of 50 batches (so a batch holds sequences of similar length and little padding), cut into batches, and
 * the batches shuffled. The number of batches per epoch is fixed; the plan depends only on the generator's state.
 */
final class SftData {

    private static final int SORT_WINDOW_BATCHES = 50;

    final int[][] sequences;
    /** Index of the first target token in each sequence (loss covers tokens lossStart..end). */
    final int[] lossStart;
    /** Per sequence, the sorted token ids a sampled softmax must not draw as negatives (often empty). */
    final int[][] notNegatives;
    /** Per sequence, whether it is open-ended (an item-sequence window): only those rank items by sampled softmax. */
    final boolean[] openEnded;
    final long fingerprint;
    final int batchSize;

    private SftData(int[][] sequences, int[] lossStart, int[][] notNegatives, boolean[] openEnded, int batchSize) {
        this.sequences = sequences;
        this.openEnded = openEnded;
        this.lossStart = lossStart;
        this.notNegatives = notNegatives;
        this.batchSize = batchSize;
        long h = 0x51ED27A0F3C9B1D5L;
        for (int i = 0; i < sequences.length; i++) {
            h = SeededRandom.mix(h, lossStart[i]);
            h = SeededRandom.mix(h, Arrays.hashCode(sequences[i]));
            if (notNegatives[i].length > 0) {
                h = SeededRandom.mix(h, Arrays.hashCode(notNegatives[i]));
            }
        }
        this.fingerprint = h;
    }

    static SftData tokenize(List<SftExample> examples, TextTokenizer tokenizer, SftConfig config, int contextLength) {
        int maxLen = config.maxSequenceLength() > 0 ? Math.min(config.maxSequenceLength(), contextLength)
                : contextLength;
        int end = switch (config.answerEnd()) {
            case EOS -> tokenizer.specialTokens().eos();
            case NEWLINE -> tokenizer.specialTokens().newline();
            case NONE -> -1;
        };
        if (config.answerEnd() != AnswerEnd.NONE && end < 0) {
            throw new IllegalArgumentException("The tokenizer has no " + config.answerEnd()
                    + " token to end answers with; choose another AnswerEnd.");
        }
        int[][] seqs = new int[examples.size()][];
        int[] start = new int[examples.size()];
        int[][] exclude = new int[examples.size()][];
        boolean[] open = new boolean[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            SftExample ex = examples.get(i);
            int[] prompt = tokenizer.encode(ex.prompt());
            int[] answer = tokenizer.encode(ex.answer());
            open[i] = ex.openEnded();
            boolean ends = end >= 0 && !ex.openEnded();
            int answerLen = answer.length + (ends ? 1 : 0);
            if (answerLen + 1 > maxLen) {
                throw new IllegalArgumentException("Example " + i + ": its answer of " + answerLen
                        + " tokens does not fit the maximum sequence length " + maxLen + ".");
            }
            int keepPrompt = Math.min(prompt.length, maxLen - answerLen);
            if (keepPrompt == 0) {
                throw new IllegalArgumentException("Example " + i + " has an empty prompt.");
            }
            int[] seq = new int[keepPrompt + answerLen];
            System.arraycopy(prompt, prompt.length - keepPrompt, seq, 0, keepPrompt);
            System.arraycopy(answer, 0, seq, keepPrompt, answer.length);
            if (ends) {
                seq[seq.length - 1] = end;
            }
            seqs[i] = seq;
            start[i] = config.lossScope() == LossScope.ANSWER ? keepPrompt : 1;
            exclude[i] = ex.notNegatives().stream().mapToInt(tokenizer::itemTokenId).filter(t -> t >= 0)
                    .sorted().distinct().toArray();
        }
        return new SftData(seqs, start, exclude, open, config.batchSize());
    }

    int size() {
        return sequences.length;
    }

    /** The fixed number of micro-batches per epoch. */
    int batchesPerEpoch() {
        int window = batchSize * SORT_WINDOW_BATCHES;
        int n = size();
        int full = n / window;
        int rest = n % window;
        return full * SORT_WINDOW_BATCHES + (rest + batchSize - 1) / batchSize;
    }

    /** One epoch's batches (example indices), drawn from {@code rng}. */
    List<int[]> plan(SeededRandom rng) {
        int n = size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
        int window = batchSize * SORT_WINDOW_BATCHES;
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < n; from += window) {
            int to = Math.min(n, from + window);
            Integer[] chunk = new Integer[to - from];
            for (int i = from; i < to; i++) {
                chunk[i - from] = order[i];
            }
            Arrays.sort(chunk, (a, b) -> Integer.compare(sequences[a].length, sequences[b].length));
            for (int b = 0; b < chunk.length; b += batchSize) {
                int[] batch = new int[Math.min(batchSize, chunk.length - b)];
                for (int j = 0; j < batch.length; j++) {
                    batch[j] = chunk[b + j];
                }
                batches.add(batch);
            }
        }
        int[] perm = new int[batches.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        rng.shuffle(perm);
        List<int[]> out = new ArrayList<>(perm.length);
        for (int p : perm) {
            out.add(batches.get(p));
        }
        return out;
    }

    /** The number of target tokens of a batch. */
    long targetTokens(int[] batch) {
        long n = 0;
        for (int i : batch) {
            n += sequences[i].length - lossStart[i];
        }
        return n;
    }
}
