package dev.mllmrec.core.lm.tokenizer;

import java.nio.file.Path;

/**
 * Turns text into token ids and back. Implemented by the compact {@link WordTokenizer} that mllmrec trains on its
 * own prompts, and by {@link HfTextTokenizer} for any Hugging Face {@code tokenizer.json} (for example Qwen3's).
 *
 * <p>Implementations are thread-safe for encoding and decoding.
 */
public interface TextTokenizer extends AutoCloseable {

    /** Token ids of {@code text}; no special tokens are added. */
    int[] encode(String text);

    /** The text of {@code ids}, special tokens included. */
    default String decode(int[] ids) {
        return decode(ids, false);
    }

    /** The text of {@code ids}; with {@code skipSpecialTokens} the special tokens ({@code <eos>} ...) are left out. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** The number of ids: every id is in {@code [0, vocabSize())}. */
    int vocabSize();

    /** The ids of the special tokens; an id is {@code -1} where this tokenizer has no such token. */
    SpecialTokens specialTokens();

    /** The id of {@code [ITEM_<itemId>]} when it is a single token of this vocabulary, else {@code -1}. */
    int itemTokenId(int itemId);

    /** The item id whose token is {@code tokenId}, or {@code -1} when {@code tokenId} is not an item token. */
    int itemIdOf(int tokenId);

    /** Writes this tokenizer as a Hugging Face {@code tokenizer.json} (atomically). */
    void save(Path file);

    /** Releases native resources, if any. */
    @Override
    default void close() {
    }
}
