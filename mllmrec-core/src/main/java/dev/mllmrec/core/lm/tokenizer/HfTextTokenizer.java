package dev.mllmrec.core.lm.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.ItemTokens;
import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Any Hugging Face {@code tokenizer.json} (BPE, WordPiece, WordLevel, Unigram) through DJL's
 * {@link HuggingFaceTokenizer}: a pretrained model's tokenizer such as Qwen3's, or one written by
 * {@link WordTokenizer}. Special tokens are found by name ({@code <pad>}, {@code <|endoftext|>}, {@code <eos>},
 * {@code <|im_end|>}, Llama 3's {@code <|eot_id|>}, {@code </s>} ...); item tokens are those {@code [ITEM_<id>]} strings that are single tokens.
 *
 * <p>Thread-safe for encoding and decoding. Owns a native tokenizer: close it.
 */
public final class HfTextTokenizer implements TextTokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final String json;
    private final int vocabSize;
    private final SpecialTokens special;
    private final Map<Integer, Integer> tokenByItem = new HashMap<>();
    private final Map<Integer, Integer> itemByToken = new HashMap<>();

    private HfTextTokenizer(HuggingFaceTokenizer tokenizer, String json) {
        this.tokenizer = tokenizer;
        this.json = json;
        Map<String, Integer> named = new HashMap<>();
        int maxId = -1;
        try {
            JsonNode root = Json.mapper().readTree(json);
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                    int id = e.getValue().asInt();
                    maxId = Math.max(maxId, id);
                    remember(named, e.getKey(), id);
                }
            } else if (vocab.isArray()) {
                maxId = vocab.size() - 1;
                for (int i = 0; i < vocab.size(); i++) {
                    remember(named, vocab.get(i).path(0).asText(), i);
                }
            }
            for (JsonNode t : root.path("added_tokens")) {
                int id = t.path("id").asInt();
                maxId = Math.max(maxId, id);
                String content = t.path("content").asText();
                named.put(content, id);
                int item = ItemTokens.parse(content);
                if (item >= 0) {
                    tokenByItem.put(item, id);
                    itemByToken.put(id, item);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("The tokenizer JSON cannot be parsed: " + e.getMessage(), e);
        }
        this.vocabSize = maxId + 1;
        int[] nl = encode("\n");
        this.special = new SpecialTokens(
                first(named, SpecialTokens.PAD, "<|endoftext|>", "[PAD]", "<|pad|>"),
                first(named, SpecialTokens.EOS, "<|im_end|>", "<|eot_id|>", "</s>", "<|endoftext|>", "[SEP]"),
                first(named, SpecialTokens.UNK, "[UNK]", "<|unk|>"),
                first(named, SpecialTokens.THINK_START),
                first(named, SpecialTokens.THINK_END),
                nl.length == 1 ? nl[0] : -1);
    }

    private void remember(Map<String, Integer> named, String token, int id) {
        if (token.startsWith("<") || token.startsWith("[")) {
            named.put(token, id);
        }
        int item = ItemTokens.parse(token);
        if (item >= 0) {
            tokenByItem.put(item, id);
            itemByToken.put(id, item);
        }
    }

    private static int first(Map<String, Integer> named, String... names) {
        for (String n : names) {
            Integer id = named.get(n);
            if (id != null) {
                return id;
            }
        }
        return -1;
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @throws UncheckedIOException when the file cannot be read or parsed by the native tokenizer
     */
    public static HfTextTokenizer load(Path file) {
        try {
            String json = Files.readString(file);
            Map<String, String> options = Map.of("addSpecialTokens", "false");
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(file, options);
            return new HfTextTokenizer(tok, json);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** The underlying DJL tokenizer. */
    public HuggingFaceTokenizer delegate() {
        return tokenizer;
    }

    @Override
    public int[] encode(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
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
        Integer id = tokenByItem.get(itemId);
        return id == null ? -1 : id;
    }

    @Override
    public int itemIdOf(int tokenId) {
        Integer item = itemByToken.get(tokenId);
        return item == null ? -1 : item;
    }

    @Override
    public void save(Path file) {
        AtomicFiles.writeString(file, json);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
