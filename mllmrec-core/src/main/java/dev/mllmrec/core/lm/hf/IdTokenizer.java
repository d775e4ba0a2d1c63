package dev.mllmrec.core.lm.hf;

import dev.mllmrec.core.lm.tokenizer.SpecialTokens;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * A stand-in {@link TextTokenizer} for models used on token ids alone (checking a checkpoint against another
 * implementation, a model folder without {@code tokenizer.json}): it knows the vocabulary size and the
 * end-of-sequence id, encodes text written as space-separated ids, and decodes to ids.
 */
public final class IdTokenizer implements TextTokenizer {

    private final int vocabSize;
    private final SpecialTokens special;

    /**
     * @param vocabSize the number of ids
     * @param eos       the end-of-sequence id, or {@code -1}
     */
    public IdTokenizer(int vocabSize, int eos) {
        this.vocabSize = vocabSize;
        this.special = new SpecialTokens(-1, eos, -1, -1, -1, -1);
    }

    /** Parses {@code "1 403 407"} (spaces or commas). */
    @Override
    public int[] encode(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split("[\\s,]+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i] + "' is not a token id.", e);
            }
            if (out[i] < 0 || out[i] >= vocabSize) {
                throw new IllegalArgumentException("Token id " + out[i] + " is outside the vocabulary of size "
                        + vocabSize + ".");
            }
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringJoiner j = new StringJoiner(" ");
        for (int id : ids) {
            if (!(skipSpecialTokens && id == special.eos())) {
                j.add(Integer.toString(id));
            }
        }
        return j.toString();
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public SpecialTokens specialTokens() {
        return special;
    }

    @Override
    public int itemTokenId(int itemId) {
        return -1;
    }

    @Override
    public int itemIdOf(int tokenId) {
        return -1;
    }

    @Override
    public void save(Path file) {
        throw new UnsupportedOperationException("An id-only tokenizer has no tokenizer.json to write.");
    }
}
