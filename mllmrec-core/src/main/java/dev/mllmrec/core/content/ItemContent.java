package dev.mllmrec.core.content;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.core.embed.TextEncoder;
import dev.mllmrec.core.embed.TfIdfEncoder;
import dev.mllmrec.core.lm.LmConfig;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content term of a policy's item tokens, ready for {@code CausalLm.create(config, seed, vectors)}: which tokens
 * carry content ({@link #shape()}) and their frozen vectors in token order ({@link #vectors()}).
 *
 * @param shape   the item-token range and the vectors' width
 * @param vectors {@code shape.tokens() x shape.dimension()} values, row-major
 */
public record ItemContent(LmConfig.ItemContentShape shape, float[] vectors) {

    private static final Logger LOG = LoggerFactory.getLogger(ItemContent.class);

    /** Hashed buckets of the TF-IDF encoder (the MiniLM one has 384 dimensions). */
    public static final int TFIDF_DIMENSION = 256;
    /**
     * Appended to an encoder's name ({@code minilm+facets}): the item's {@link ItemFacets} (genre multi-hot,
     * release decade, and for caption sources the poster's measurements) follow its text vector.
     */
    public static final String FACETS_SUFFIX = "+facets";

    /**
     * The sentence encoder of a content-encoder name ({@code minilm+facets} -> {@code minilm}; {@code null} ->
     * {@code minilm}), trimmed and in lower case.
     */
    public static String sentenceEncoder(String contentEncoder) {
        String name = contentEncoder == null ? "minilm" : contentEncoder.strip().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(FACETS_SUFFIX) ? name.substring(0, name.length() - FACETS_SUFFIX.length()) : name;
    }

    /** Whether a content-encoder name asks for the items' facets ({@link #FACETS_SUFFIX}). */
    public static boolean hasFacets(String contentEncoder) {
        return contentEncoder != null
                && contentEncoder.strip().toLowerCase(java.util.Locale.ROOT).endsWith(FACETS_SUFFIX);
    }

    /** The content-encoder name of a sentence encoder with or without the items' facets. */
    public static String contentEncoder(String sentenceEncoder, boolean facets) {
        return sentenceEncoder(sentenceEncoder) + (facets ? FACETS_SUFFIX : "");
    }

    /**
     * Builds the content of every catalog item under {@code source}: its own text (title and attributes,
     * {@link ItemContentTexts#texts}) encoded with {@code encoder} ({@code minilm} or {@code tfidf}); for caption
     * sources, beside it, the vector of the caption the item shows ({@link ItemContentTexts#captions}, read from
     * {@code W/captions.jsonl}; zeros for an item without one), encoded separately so that the caption adds to the
     * text instead of diluting it; with {@link #FACETS_SUFFIX}, the facets after those. Vectors are cached under
     * {@code W/content/} by text.
     *
     * @throws IllegalArgumentException when the tokenizer's item tokens are not one consecutive run in item-id order
     *                                  (a content term needs that), or the source needs captions that are missing
     */
    public static ItemContent build(WorkDir workDir, Catalog catalog, TextTokenizer tokenizer,
                                    ItemContentSource source, String encoder, long seed) {
        if (source == ItemContentSource.NONE) {
            throw new IllegalArgumentException("Item content 'none' has no vectors.");
        }
        Map<Integer, String> captions = captions(workDir);
        Map<Integer, String> texts = ItemContentTexts.texts(catalog);
        Map<Integer, String> shown = ItemContentTexts.captions(catalog, captions, source, seed);
        TreeMap<Integer, Integer> tokenOf = new TreeMap<>();
        for (int id : texts.keySet()) {
            int token = tokenizer.itemTokenId(id);
            if (token < 0) {
                throw new IllegalArgumentException("Item " + id + " has no token in the policy's vocabulary.");
            }
            tokenOf.put(token, id);
        }
        int first = tokenOf.firstKey();
        if (tokenOf.lastKey() - first + 1 != tokenOf.size()) {
            throw new IllegalArgumentException("The tokenizer's item tokens are not consecutive (" + tokenOf.size()
                    + " items between token ids " + first + " and " + tokenOf.lastKey() + "); item content needs "
                    + "one run of item tokens.");
        }
        List<String> ordered = new ArrayList<>(tokenOf.size());
        tokenOf.values().forEach(id -> ordered.add(texts.get(id)));
        long start = System.nanoTime();
        float[][] rows;
        String name = sentenceEncoder(encoder);
        boolean facets = hasFacets(encoder);
        List<String> corpus = new ArrayList<>(ordered);
        corpus.addAll(shown.values()); // TF-IDF's vocabulary and weights cover the captions too
        try (TextEncoder enc = encoder(name, corpus)) {
            rows = vectors(tokenOf, source.includesText() ? ordered : List.of(), shown, enc, workDir);
            if (facets) {
                List<dev.mllmrec.api.Item> items = new ArrayList<>(tokenOf.size());
                tokenOf.values().forEach(id -> items.add(catalog.get(id)));
                List<float[][]> blocks = new ArrayList<>(List.of(rows, ItemFacets.attributes(items)));
                if (source.needsCaptions()) {
                    blocks.add(ItemFacets.posters(items, catalog,
                            ItemContentTexts.donors(catalog, captions.keySet(), source, seed)));
                }
                rows = ItemFacets.concat(blocks);
            }
            int dim = rows[0].length;
            float[] flat = new float[rows.length * dim];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(rows[i], 0, flat, i * dim, dim);
            }
            LOG.info("Item content '{}': {} items encoded with {}{} ({} dimensions) in {} s", source.id(),
                    rows.length, enc.id(), (!source.includesText() ? " (captions only)"
                            : source.needsCaptions() ? " with their captions' vectors" : "")
                            + (facets ? " and their facets" : ""), dim, String.format("%.1f", (System.nanoTime() - start) / 1e9));
            return new ItemContent(new LmConfig.ItemContentShape(dim, first, rows.length), flat);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Cannot close the text encoder: " + e.getMessage(), e);
        }
    }

    /**
     * The text vectors (one per item, in token order; none when {@code texts} is empty) followed, per item, by the
     * vector of the caption it shows (a zero block where it shows none; no block when nothing is shown), from one
     * pass over the vector cache.
     */
    private static float[][] vectors(TreeMap<Integer, Integer> tokenOf, List<String> texts, Map<Integer, String> shown,
                                     TextEncoder enc, WorkDir workDir) {
        List<String> batch = new ArrayList<>(texts);
        tokenOf.values().forEach(id -> {
            if (shown.containsKey(id)) {
                batch.add(shown.get(id));
            }
        });
        float[][] encoded = ItemContentVectors.encode(batch, enc, workDir.root().resolve("content"));
        if (shown.isEmpty()) {
            return encoded;
        }
        int d = enc.dimension();
        int textWidth = texts.isEmpty() ? 0 : d;
        float[][] out = new float[tokenOf.size()][textWidth + d];
        int row = 0;
        int next = texts.size();
        for (int id : tokenOf.values()) {
            if (textWidth > 0) {
                System.arraycopy(encoded[row], 0, out[row], 0, d);
            }
            if (shown.containsKey(id)) {
                System.arraycopy(encoded[next++], 0, out[row], textWidth, d);
            }
            row++;
        }
        return out;
    }

    private static TextEncoder encoder(String name, List<String> corpus) {
        return switch (name) {
            case "minilm" -> MiniLmEncoder.load();
            case "tfidf" -> TfIdfEncoder.fit(corpus, TFIDF_DIMENSION);
            default -> throw new IllegalArgumentException("Unknown content encoder '" + name + "'; known: minilm, "
                    + "tfidf, each optionally with " + FACETS_SUFFIX + ".");
        };
    }

    /** Each item's caption text from {@code W/captions.jsonl} (empty when textualize has not run). */
    public static Map<Integer, String> captions(WorkDir workDir) {
        Map<Integer, String> out = new HashMap<>();
        if (Files.isRegularFile(workDir.captions())) {
            for (Caption c : JsonLines.read(workDir.captions(), Caption.class)) {
                out.put(c.itemId(), c.text());
            }
        }
        return out;
    }
}
