package dev.mllmrec.core.content;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.core.textualize.ImageFeatures;
import dev.mllmrec.core.textualize.SafeImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Structured features of each item, appended to its sentence embedding as further blocks of its content vector: a
 * sentence embedding of "Comedy, Drama" only roughly tells two genre sets apart, while a multi-hot does exactly.
 *
 * <ul>
 *   <li>{@link #attributes}: the item's genres as a multi-hot over the catalog's genres, and its release decade
 *       (one-hot over the decades present) when its title ends with a four-digit year in parentheses, the
 *       MovieLens form {@code Heat (1995)};</li>
 *   <li>{@link #posters}: the measurements the built-in captioner words its caption from ({@link ImageFeatures}:
 *       brightness, contrast, saturation, warmth, light placement, detail, lettering bands and the share of each
 *       named palette colour), each standardised over the catalog, so that the visual signal reaches the policy
 *       whole rather than through a sentence embedding of a caption.</li>
 * </ul>
 *
 * Each block is scaled to unit length per item (an all-zero block stays zero), the length of a MiniLM vector, so
 * that no block outweighs the others at initialisation. Pure and deterministic.
 *
 * <p>Thread-safe: stateless.
 */
public final class ItemFacets {

    private static final Pattern YEAR = Pattern.compile("\\((\\d{4})\\)\\s*$");
    /** Scalar image measurements per poster before the palette shares. */
    private static final int IMAGE_SCALARS = 9;

    private ItemFacets() {
    }

    /**
     * Genre multi-hot and release-decade one-hot of each item, in the order given, each row scaled to unit length.
     */
    public static float[][] attributes(List<Item> items) {
        TreeSet<String> genres = new TreeSet<>();
        TreeSet<Integer> decades = new TreeSet<>();
        for (Item item : items) {
            genres.addAll(item.genres());
            Integer year = year(item.title());
            if (year != null) {
                decades.add(year / 10);
            }
        }
        List<String> genreList = new ArrayList<>(genres);
        List<Integer> decadeList = new ArrayList<>(decades);
        float[][] out = new float[items.size()][genreList.size() + decadeList.size()];
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            for (String g : item.genres()) {
                out[i][genreList.indexOf(g)] = 1f;
            }
            Integer year = year(item.title());
            if (year != null) {
                out[i][genreList.size() + decadeList.indexOf(year / 10)] = 1f;
            }
            unit(out[i]);
        }
        return out;
    }

    /** The year in parentheses that ends {@code title}, or {@code null}. */
    static Integer year(String title) {
        Matcher m = YEAR.matcher(title.strip());
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /**
     * The standardised image measurements of each item's poster, in the order given, each row scaled to unit
     * length; an item whose {@code donors} entry is absent gets a zero row, one with an entry gets the poster of the
     * donor item (itself, or another item's for the shuffled control).
     *
     * @param donors whose poster each item shows, by item id (items without an image are absent)
     * @throws IllegalArgumentException naming the file of a poster that cannot be read or decoded
     */
    public static float[][] posters(List<Item> items, Catalog catalog, Map<Integer, Integer> donors) {
        // Measured in parallel, then read in ascending id order: the standardisation's sums (and so the
        // training run) do not depend on thread scheduling.
        List<Integer> ids = new ArrayList<>(new TreeSet<>(donors.values()));
        ImageFeatures[] measured = new ImageFeatures[ids.size()];
        SafeImageDecoder decoder = new SafeImageDecoder();
        IntStream.range(0, ids.size()).parallel()
                .forEach(k -> measured[k] = measure(catalog.get(ids.get(k)), decoder));
        Map<Integer, ImageFeatures> features = new LinkedHashMap<>();
        for (int k = 0; k < ids.size(); k++) {
            features.put(ids.get(k), measured[k]);
        }
        Map<Integer, double[]> raw = new LinkedHashMap<>();
        TreeSet<String> colours = new TreeSet<>();
        features.values().forEach(f -> f.palette().forEach(c -> colours.add(c.name())));
        List<String> colourList = new ArrayList<>(colours);
        int width = IMAGE_SCALARS + colourList.size();
        features.forEach((id, f) -> {
            double[] v = new double[width];
            v[0] = f.brightness();
            v[1] = f.contrast();
            v[2] = f.saturation();
            v[3] = f.warmth();
            v[4] = f.centreContrast();
            v[5] = f.verticalGradient();
            v[6] = f.edgeDensity();
            v[7] = f.textTop();
            v[8] = f.textBottom();
            for (ImageFeatures.PaletteColor c : f.palette()) {
                v[IMAGE_SCALARS + colourList.indexOf(c.name())] += c.share();
            }
            raw.put(id, v);
        });
        double[] mean = new double[width];
        double[] sd = new double[width];
        for (double[] v : raw.values()) {
            for (int j = 0; j < width; j++) {
                mean[j] += v[j] / raw.size();
            }
        }
        for (double[] v : raw.values()) {
            for (int j = 0; j < width; j++) {
                sd[j] += (v[j] - mean[j]) * (v[j] - mean[j]) / raw.size();
            }
        }
        float[][] out = new float[items.size()][width];
        for (int i = 0; i < items.size(); i++) {
            Integer donor = donors.get(items.get(i).id());
            if (donor == null) {
                continue;
            }
            double[] v = raw.get(donor);
            for (int j = 0; j < width; j++) {
                out[i][j] = sd[j] > 0 ? (float) ((v[j] - mean[j]) / Math.sqrt(sd[j])) : 0f;
            }
            unit(out[i]);
        }
        return out;
    }

    private static ImageFeatures measure(Item item, SafeImageDecoder decoder) {
        Path file = Path.of(item.image());
        try {
            return ImageFeatures.extract(decoder.decode(Files.readAllBytes(file), file + " (item " + item.id()
                    + ")"));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the poster " + file + " of item " + item.id() + ": "
                    + e.getMessage(), e);
        } catch (TextualizationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Side features of every catalog item by id, for a content-aware model (SASRec's
     * {@code --item-features}): {@link #attributes}, followed with {@code posters} by {@link #posters} of each
     * item's own poster (a zero block for an item without one; no block at all when no item has an image). Empty
     * when the catalog has no genres, no years and no posters.
     *
     * @throws IllegalArgumentException naming the file of a poster that cannot be read or decoded
     */
    public static Map<Integer, float[]> byItem(Catalog catalog, boolean posters) {
        List<Item> items = catalog.items();
        List<float[][]> blocks = new ArrayList<>();
        blocks.add(attributes(items));
        if (posters) {
            Map<Integer, Integer> own = new LinkedHashMap<>();
            for (Item item : items) {
                if (item.image() != null && !item.image().isBlank()) {
                    own.put(item.id(), item.id());
                }
            }
            if (!own.isEmpty()) {
                blocks.add(posters(items, catalog, own));
            }
        }
        float[][] rows = concat(blocks);
        Map<Integer, float[]> out = new LinkedHashMap<>();
        if (rows.length == 0 || rows[0].length == 0) {
            return out; // no genres, years or posters: nothing to add
        }
        for (int i = 0; i < items.size(); i++) {
            out.put(items.get(i).id(), rows[i]);
        }
        return out;
    }

    /** Concatenates rows of equal count block by block: {@code out[i] = a[i] ++ b[i] ++ ...}. */
    public static float[][] concat(List<float[][]> blocks) {
        int n = blocks.get(0).length;
        int width = 0;
        for (float[][] b : blocks) {
            if (b.length != n) {
                throw new IllegalArgumentException("Blocks of " + n + " and " + b.length + " rows.");
            }
            width += b.length == 0 ? 0 : b[0].length;
        }
        float[][] out = new float[n][width];
        for (int i = 0; i < n; i++) {
            int at = 0;
            for (float[][] b : blocks) {
                System.arraycopy(b[i], 0, out[i], at, b[i].length);
                at += b[i].length;
            }
        }
        return out;
    }

    private static void unit(float[] row) {
        double s = 0;
        for (float x : row) {
            s += x * x;
        }
        if (s > 0) {
            float inv = (float) (1 / Math.sqrt(s));
            for (int j = 0; j < row.length; j++) {
                row[j] *= inv;
            }
        }
    }
}
