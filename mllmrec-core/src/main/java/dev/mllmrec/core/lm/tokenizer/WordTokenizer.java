package dev.mllmrec.core.lm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mllmrec.api.ItemTokens;
import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compact word-level tokenizer built from training texts: one token per word, number or punctuation mark (with
 * its leading space, so decoding restores the text exactly), one atomic token per item {@code [ITEM_<id>]}, a
 * newline token, and the special tokens {@code <pad> <eos> <unk> <think> </think>}.
 *
 * <p>It is saved as a standard Hugging Face {@code tokenizer.json} (a {@code WordLevel} model, a {@code Split}
 * pre-tokenizer with {@link #PRE_TOKENIZER_PATTERN}, the special tokens as added tokens and a {@code Fuse}
 * decoder), so DJL's {@code HuggingFaceTokenizer} and Python's {@code tokenizers} read it unchanged. Encoding here
 * is pure Java and gives exactly the ids the Hugging Face implementation gives (a test proves it), several times
 * faster because no native call or encoding object is made per text.
 *
 * <p>Thread-safe: instances are immutable.
 */
public final class WordTokenizer implements TextTokenizer {

    /**
     * The pre-tokenizer: an item token; a run of letters or of digits with an optional leading space; a newline;
     * or any other single character with an optional leading space (unless a space precedes an item token). What
     * the pattern does not match (runs of spaces) becomes a piece of its own. Valid in Java and in Oniguruma.
     */
    public static final String PRE_TOKENIZER_PATTERN =
            "\\[ITEM_[0-9]+\\]| ?\\p{L}+| ?\\p{N}+|\\n| ?(?!\\[ITEM_[0-9]+\\])[^ \\n\\p{L}\\p{N}]";

    private static final Pattern PIECE = Pattern.compile(PRE_TOKENIZER_PATTERN);

    /** The special tokens in id order; the newline token follows them. */
    private static final List<String> SPECIALS = List.of(SpecialTokens.PAD, SpecialTokens.EOS, SpecialTokens.UNK,
            SpecialTokens.THINK_START, SpecialTokens.THINK_END);
    private static final String NEWLINE = "\n";
    private static final SpecialTokens SPECIAL_IDS = new SpecialTokens(0, 1, 2, 3, 4, 5);

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final int[] itemIdByToken;
    private final Map<Integer, Integer> tokenByItem;

    private WordTokenizer(List<String> vocabulary) {
        this.tokens = vocabulary.toArray(new String[0]);
        this.ids = new HashMap<>(tokens.length * 2);
        this.itemIdByToken = new int[tokens.length];
        this.tokenByItem = new HashMap<>();
        for (int i = 0; i < tokens.length; i++) {
            if (ids.put(tokens[i], i) != null) {
                throw new IllegalArgumentException("The vocabulary holds the token '" + tokens[i] + "' twice.");
            }
            int item = ItemTokens.parse(tokens[i]);
            itemIdByToken[i] = item;
            if (item >= 0) {
                tokenByItem.put(item, i);
            }
        }
        for (int i = 0; i < SPECIALS.size(); i++) {
            if (!SPECIALS.get(i).equals(tokens[i])) {
                throw new IllegalArgumentException("Token " + i + " must be " + SPECIALS.get(i) + ", got '"
                        + tokens[i] + "'.");
            }
        }
        if (!NEWLINE.equals(tokens[SPECIAL_IDS.newline()])) {
            throw new IllegalArgumentException("Token " + SPECIAL_IDS.newline() + " must be the newline.");
        }
    }

    /** A builder that counts pieces over training texts. */
    public static Builder builder() {
        return new Builder();
    }

    /** A tokenizer with exactly this vocabulary (ids in list order; it must start with the special tokens). */
    public static WordTokenizer of(List<String> vocabulary) {
        return new WordTokenizer(List.copyOf(vocabulary));
    }

    /**
     * Reads a {@code tokenizer.json} written by {@link #save}.
     *
     * @throws IllegalArgumentException when the file is a different kind of tokenizer (load it with
     *                                  {@link HfTextTokenizer} instead)
     */
    public static WordTokenizer load(Path file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read tokenizer " + file + ": " + e.getMessage(), e);
        }
        if (!isWordTokenizerJson(root)) {
            throw new IllegalArgumentException("Tokenizer " + file + " is not an mllmrec word-level tokenizer "
                    + "(WordLevel model with the mllmrec Split pre-tokenizer); load it with HfTextTokenizer.");
        }
        JsonNode vocab = root.path("model").path("vocab");
        String[] byId = new String[vocab.size()];
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            int id = e.getValue().asInt(-1);
            if (id < 0 || id >= byId.length || byId[id] != null) {
                throw new IllegalArgumentException("Tokenizer " + file + " has a bad or repeated id " + id
                        + " for token '" + e.getKey() + "'.");
            }
            byId[id] = e.getKey();
        }
        return new WordTokenizer(Arrays.asList(byId));
    }

    /** Whether a parsed {@code tokenizer.json} is in this class's format. */
    static boolean isWordTokenizerJson(JsonNode root) {
        return "WordLevel".equals(root.path("model").path("type").asText())
                && "Split".equals(root.path("pre_tokenizer").path("type").asText())
                && PRE_TOKENIZER_PATTERN.equals(root.path("pre_tokenizer").path("pattern").path("Regex").asText())
                && "Fuse".equals(root.path("decoder").path("type").asText());
    }

    /** Splits {@code text} into pieces exactly as the Hugging Face pipeline does (added tokens, then the regex). */
    public static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        forEachPiece(text, (s, from, to) -> out.add(s.substring(from, to)));
        return out;
    }

    private interface PieceSink {
        void accept(String text, int from, int to);
    }

    private static void forEachPiece(String text, PieceSink sink) {
        int start = 0;
        int n = text.length();
        int i = text.indexOf('<');
        while (i >= 0 && i < n) {
            String special = specialAt(text, i);
            if (special != null) {
                splitRegular(text, start, i, sink);
                sink.accept(text, i, i + special.length());
                start = i + special.length();
                i = text.indexOf('<', start);
            } else {
                i = text.indexOf('<', i + 1);
            }
        }
        splitRegular(text, start, n, sink);
    }

    private static String specialAt(String text, int i) {
        String best = null;
        for (String s : SPECIALS) {
            if (text.startsWith(s, i) && (best == null || s.length() > best.length())) {
                best = s;
            }
        }
        return best;
    }

    private static void splitRegular(String text, int from, int to, PieceSink sink) {
        if (from >= to) {
            return;
        }
        Matcher m = PIECE.matcher(text);
        m.region(from, to);
        m.useTransparentBounds(false);
        m.useAnchoringBounds(false);
        int last = from;
        while (m.find()) {
            if (m.start() > last) {
                sink.accept(text, last, m.start());
            }
            sink.accept(text, m.start(), m.end());
            last = m.end();
        }
        if (last < to) {
            sink.accept(text, last, to);
        }
    }

    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        int[] buf = new int[Math.max(8, text.length() / 3)];
        int[] count = {0};
        int[][] holder = {buf};
        int unk = SPECIAL_IDS.unk();
        forEachPiece(text, (s, from, to) -> {
            Integer id = ids.get(s.substring(from, to));
            if (count[0] == holder[0].length) {
                holder[0] = Arrays.copyOf(holder[0], holder[0].length * 2);
            }
            holder[0][count[0]++] = id == null ? unk : id;
        });
        return Arrays.copyOf(holder[0], count[0]);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder(ids.length * 5);
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary of size "
                        + tokens.length + ".");
            }
            if (skipSpecialTokens && id < SPECIALS.size()) {
                continue;
            }
            sb.append(tokens[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public SpecialTokens specialTokens() {
        return SPECIAL_IDS;
    }

    @Override
    public int itemTokenId(int itemId) {
        Integer id = tokenByItem.get(itemId);
        return id == null ? -1 : id;
    }

    @Override
    public int itemIdOf(int tokenId) {
        return tokenId >= 0 && tokenId < itemIdByToken.length ? itemIdByToken[tokenId] : -1;
    }

    /** The token with this id. */
    public String token(int id) {
        return tokens[id];
    }

    /** The id of {@code token}, or {@code -1} when it is not in the vocabulary. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The number of item tokens. */
    public int itemCount() {
        return tokenByItem.size();
    }

    /** The tokenizer as a Hugging Face {@code tokenizer.json} tree. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", SPECIALS.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Split");
        pre.putObject("pattern").put("Regex", PRE_TOKENIZER_PATTERN);
        pre.put("behavior", "Isolated");
        pre.put("invert", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.length; i++) {
            vocab.put(tokens[i], i);
        }
        model.put("unk_token", SpecialTokens.UNK);
        return root;
    }

    @Override
    public void save(Path file) {
        AtomicFiles.writeString(file, Json.pretty(toJson()));
    }

    @Override
    public String toString() {
        return "WordTokenizer[" + tokens.length + " tokens, " + tokenByItem.size() + " items]";
    }

    /**
     * Builds a vocabulary from texts: every item token seen (or listed with {@link #optItemIds}), and every other
     * piece seen at least {@link #optMinFrequency} times, most frequent first. Deterministic: equal inputs give
     * equal vocabularies.
     */
    public static final class Builder {
        private Iterable<String> texts;
        private int minFrequency = 2;
        private int maxVocabularySize = 65_536;
        private final TreeSet<Integer> itemIds = new TreeSet<>();

        private Builder() {
        }

        /** The training texts (required). */
        public Builder setTexts(Iterable<String> texts) {
            this.texts = texts;
            return this;
        }

        /** The least count for a word piece to get a token (default 2). Item tokens are always kept. */
        public Builder optMinFrequency(int minFrequency) {
            this.minFrequency = minFrequency;
            return this;
        }

        /** The largest vocabulary, special and item tokens included (default 65,536). */
        public Builder optMaxVocabularySize(int maxVocabularySize) {
            this.maxVocabularySize = maxVocabularySize;
            return this;
        }

        /** Items that get a token even if no text mentions them (for example the whole catalog). */
        public Builder optItemIds(Iterable<Integer> ids) {
            for (Integer id : ids) {
                if (id == null || id < 0) {
                    throw new IllegalArgumentException("Item ids must be non-negative, got " + id + ".");
                }
                itemIds.add(id);
            }
            return this;
        }

        /** Counts the texts and builds the tokenizer. */
        public WordTokenizer build() {
            if (texts == null) {
                throw new IllegalArgumentException("WordTokenizer.Builder needs training texts: call setTexts.");
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("The minimum frequency must be at least 1, got " + minFrequency
                        + ".");
            }
            Map<String, int[]> counts = new HashMap<>();
            TreeSet<Integer> items = new TreeSet<>(itemIds);
            for (String text : texts) {
                forEachPiece(text, (s, from, to) -> {
                    String piece = s.substring(from, to);
                    int item = ItemTokens.parse(piece);
                    if (item >= 0) {
                        items.add(item);
                    } else {
                        counts.computeIfAbsent(piece, k -> new int[1])[0]++;
                    }
                });
            }
            List<String> vocab = new ArrayList<>(SPECIALS);
            vocab.add(NEWLINE);
            for (int item : items) {
                vocab.add(ItemTokens.token(item));
            }
            if (vocab.size() > maxVocabularySize) {
                throw new IllegalArgumentException("The " + items.size() + " item tokens alone exceed the maximum "
                        + "vocabulary size " + maxVocabularySize + ".");
            }
            List<Map.Entry<String, int[]>> words = new ArrayList<>();
            for (Map.Entry<String, int[]> e : counts.entrySet()) {
                if (e.getValue()[0] >= minFrequency && !SPECIALS.contains(e.getKey())
                        && !NEWLINE.equals(e.getKey())) {
                    words.add(e);
                }
            }
            words.sort((a, b) -> a.getValue()[0] != b.getValue()[0]
                    ? Integer.compare(b.getValue()[0], a.getValue()[0])
                    : a.getKey().compareTo(b.getKey()));
            for (Map.Entry<String, int[]> e : words) {
                if (vocab.size() >= maxVocabularySize) {
                    break;
                }
                vocab.add(e.getKey());
            }
            return new WordTokenizer(vocab);
        }
    }
}
