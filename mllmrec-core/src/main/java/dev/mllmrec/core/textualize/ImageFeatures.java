package dev.mllmrec.core.textualize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What a viewer would notice in an image, measured on a {@link Thumbnail}: the dominant palette as named colours
 * (k-means in CIELAB with a fixed seed), brightness, contrast, saturation, warm or cool tone, where the light sits,
 * how busy the picture is (Sobel edge density) and whether text-like bands of fine detail run across its top or
 * bottom. Deterministic: equal thumbnails give equal features.
 *
 * @param info             the header facts (format, size, orientation)
 * @param palette          the dominant colours, largest share first (shares of at least 3%)
 * @param brightness       mean L* (0 black .. 100 white)
 * @param contrast         standard deviation of L*
 * @param saturation       mean chroma C*ab
 * @param warmth           positive for warm (red, orange, yellow) casts, negative for cool (blue, cyan, violet)
 * @param centreContrast   mean L* of the central quarter minus that of the surround
 * @param verticalGradient mean L* of the top third minus that of the bottom third
 * @param brightestCell    the brightest cell of a 3×3 grid, row-major (0 upper left .. 8 lower right)
 * @param darkestCell      the darkest cell of the same grid
 * @param edgeDensity      the fraction of pixels on a Sobel edge of the luminance
 * @param textTop          the fraction of rows in the top quarter that carry text-like horizontal detail
 * @param textBottom       the same for the bottom quarter
 */
public record ImageFeatures(ImageInfo info, List<PaletteColor> palette, double brightness, double contrast,
                            double saturation, double warmth, double centreContrast, double verticalGradient,
                            int brightestCell, int darkestCell, double edgeDensity, double textTop,
                            double textBottom) {

    /** The seed of the k-means initialisation, fixed so that captions are reproducible. */
    public static final long KMEANS_SEED = 20260417L;

    private static final int K = 6;
    private static final int KMEANS_ITERATIONS = 8;
    private static final double MIN_SHARE = 0.03;
    private static final int SOBEL_THRESHOLD = 128;
    private static final int TEXT_STEP = 56;

    /**
     * One dominant colour.
     *
     * @param name        its name
     * @param alternative another name for it
     * @param share       the fraction of the picture it covers
     * @param neutral     whether it is black, grey or white
     */
    public record PaletteColor(String name, String alternative, double share, boolean neutral) {
    }

    /** Copies the palette. */
    public ImageFeatures {
        Objects.requireNonNull(info, "info");
        palette = List.copyOf(palette);
    }

    /** Measures a thumbnail. */
    public static ImageFeatures extract(Thumbnail t) {
        int n = t.width * t.height;
        float[] lab = new float[n * 3];
        double sumL = 0;
        double sumL2 = 0;
        double sumC = 0;
        double sumA = 0;
        double sumB = 0;
        for (int i = 0; i < n; i++) {
            ColorMath.lab(t.rgb[i], lab, i * 3);
            double l = lab[i * 3];
            double a = lab[i * 3 + 1];
            double b = lab[i * 3 + 2];
            sumL += l;
            sumL2 += l * l;
            sumC += Math.sqrt(a * a + b * b);
            sumA += a;
            sumB += b;
        }
        double meanL = sumL / n;
        double contrast = Math.sqrt(Math.max(0, sumL2 / n - meanL * meanL));
        double warmth = 0.4 * sumA / n + 0.9 * sumB / n;

        double[] cell = new double[9];
        int[] cellCount = new int[9];
        double centre = 0;
        int centreCount = 0;
        double top = 0;
        int topCount = 0;
        double bottom = 0;
        int bottomCount = 0;
        for (int y = 0; y < t.height; y++) {
            int cy = y * 3 / t.height;
            boolean midY = y >= t.height / 4 && y < t.height - t.height / 4;
            for (int x = 0; x < t.width; x++) {
                double l = lab[(y * t.width + x) * 3];
                int c = cy * 3 + x * 3 / t.width;
                cell[c] += l;
                cellCount[c]++;
                if (midY && x >= t.width / 4 && x < t.width - t.width / 4) {
                    centre += l;
                    centreCount++;
                }
                if (cy == 0) {
                    top += l;
                    topCount++;
                } else if (cy == 2) {
                    bottom += l;
                    bottomCount++;
                }
            }
        }
        int brightest = -1;
        int darkest = -1;
        for (int c = 0; c < 9; c++) {
            if (cellCount[c] == 0) {
                continue;
            }
            cell[c] /= cellCount[c];
            if (brightest < 0 || cell[c] > cell[brightest]) {
                brightest = c;
            }
            if (darkest < 0 || cell[c] < cell[darkest]) {
                darkest = c;
            }
        }
        double centreMean = centreCount > 0 ? centre / centreCount : meanL;
        double borderMean = n > centreCount ? (sumL - centre) / (n - centreCount) : meanL;
        double vertical = (topCount > 0 ? top / topCount : meanL) - (bottomCount > 0 ? bottom / bottomCount : meanL);

        double[] text = textBands(t);
        return new ImageFeatures(t.info(), palette(lab, n), meanL, contrast, sumC / n, warmth,
                centreMean - borderMean, vertical, Math.max(brightest, 0), Math.max(darkest, 0), edgeDensity(t),
                text[0], text[1]);
    }

    /** The dominant palette: k-means (k-means++ initialisation with a fixed seed), centroids named and merged. */
    static List<PaletteColor> palette(float[] lab, int total) {
        // Fit on every third pixel (plenty for six centres), then assign every pixel once to measure shares.
        int stride = total >= 768 ? 3 : 1;
        int n = (total + stride - 1) / stride;
        float[] pl = new float[n];
        float[] pa = new float[n];
        float[] pb = new float[n];
        for (int i = 0; i < n; i++) {
            int j = i * stride * 3;
            pl[i] = lab[j];
            pa[i] = lab[j + 1];
            pb[i] = lab[j + 2];
        }
        int k = Math.min(K, n);
        float[] cl = new float[k];
        float[] ca = new float[k];
        float[] cb = new float[k];
        SplittableRandom random = new SplittableRandom(KMEANS_SEED);
        float[] d2 = new float[n];
        Arrays.fill(d2, Float.MAX_VALUE);
        int pick = random.nextInt(n);
        for (int c = 0; c < k; c++) {
            cl[c] = pl[pick];
            ca[c] = pa[pick];
            cb[c] = pb[pick];
            if (c == k - 1) {
                break;
            }
            double mass = 0;
            for (int i = 0; i < n; i++) {
                float dl = pl[i] - cl[c];
                float da = pa[i] - ca[c];
                float db = pb[i] - cb[c];
                float d = dl * dl + da * da + db * db;
                if (d < d2[i]) {
                    d2[i] = d;
                }
                mass += d2[i];
            }
            pick = 0;
            if (mass > 0) {
                double r = random.nextDouble() * mass;
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += d2[i];
                    if (acc >= r) {
                        pick = i;
                        break;
                    }
                }
            }
        }
        int[] assign = new int[n];
        Arrays.fill(assign, -1);
        double[] sl = new double[k];
        double[] sa = new double[k];
        double[] sb = new double[k];
        int[] counts = new int[k];
        for (int iter = 0; iter < KMEANS_ITERATIONS; iter++) {
            int changed = 0;
            Arrays.fill(sl, 0);
            Arrays.fill(sa, 0);
            Arrays.fill(sb, 0);
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) {
                float l = pl[i];
                float a = pa[i];
                float b = pb[i];
                int best = 0;
                float bestD = Float.MAX_VALUE;
                for (int c = 0; c < k; c++) {
                    float dl = l - cl[c];
                    float da = a - ca[c];
                    float db = b - cb[c];
                    float d = dl * dl + da * da + db * db;
                    if (d < bestD) {
                        bestD = d;
                        best = c;
                    }
                }
                if (assign[i] != best) {
                    assign[i] = best;
                    changed++;
                }
                sl[best] += l;
                sa[best] += a;
                sb[best] += b;
                counts[best]++;
            }
            if (changed * 200 <= n) {
                break;
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] > 0) {
                    cl[c] = (float) (sl[c] / counts[c]);
                    ca[c] = (float) (sa[c] / counts[c]);
                    cb[c] = (float) (sb[c] / counts[c]);
                }
            }
        }
        int[] all = new int[k];
        for (int i = 0; i < total; i++) {
            all[nearestCentre(lab[i * 3], lab[i * 3 + 1], lab[i * 3 + 2], cl, ca, cb)]++;
        }
        int[] byName = new int[NamedColor.TABLE.size()];
        for (int c = 0; c < k; c++) {
            if (all[c] > 0) {
                byName[NamedColor.nearest(cl[c], ca[c], cb[c])] += all[c];
            }
        }
        List<PaletteColor> out = new ArrayList<>();
        for (int i = 0; i < byName.length; i++) {
            double share = (double) byName[i] / total;
            if (share >= MIN_SHARE) {
                NamedColor nc = NamedColor.TABLE.get(i);
                out.add(new PaletteColor(nc.name(), nc.alternative(), share, nc.neutral()));
            }
        }
        out.sort((a, b) -> a.share() != b.share() ? Double.compare(b.share(), a.share())
                : a.name().compareTo(b.name()));
        return out;
    }

    private static int nearestCentre(float l, float a, float b, float[] cl, float[] ca, float[] cb) {
        int best = 0;
        float bestD = Float.MAX_VALUE;
        for (int c = 0; c < cl.length; c++) {
            float dl = l - cl[c];
            float da = a - ca[c];
            float db = b - cb[c];
            float d = dl * dl + da * da + db * db;
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    /** The fraction of interior luminance pixels whose Sobel gradient (|gx| + |gy|) exceeds a fixed step. */
    static double edgeDensity(Thumbnail t) {
        int w = t.lumaWidth;
        int h = t.lumaHeight;
        if (w < 3 || h < 3) {
            return 0;
        }
        byte[] p = t.luma;
        int edges = 0;
        for (int y = 1; y < h - 1; y++) {
            int r0 = (y - 1) * w;
            int r1 = y * w;
            int r2 = (y + 1) * w;
            for (int x = 1; x < w - 1; x++) {
                int a = p[r0 + x - 1] & 0xFF;
                int b = p[r0 + x] & 0xFF;
                int c = p[r0 + x + 1] & 0xFF;
                int d = p[r1 + x - 1] & 0xFF;
                int f = p[r1 + x + 1] & 0xFF;
                int g = p[r2 + x - 1] & 0xFF;
                int hh = p[r2 + x] & 0xFF;
                int i = p[r2 + x + 1] & 0xFF;
                int gx = (c + 2 * f + i) - (a + 2 * d + g);
                int gy = (g + 2 * hh + i) - (a + 2 * b + c);
                if (Math.abs(gx) + Math.abs(gy) > SOBEL_THRESHOLD) {
                    edges++;
                }
            }
        }
        return (double) edges / ((w - 2) * (h - 2));
    }

    /**
     * Text-like bands: rows dense in sharp left-right luminance steps (letter strokes), compared with the picture's
     * own typical row. Returns the fraction of such rows in the top and in the bottom quarter.
     */
    static double[] textBands(Thumbnail t) {
        int w = t.lumaWidth;
        int h = t.lumaHeight;
        if (w < 8 || h < 8) {
            return new double[] {0, 0};
        }
        double[] density = new double[h];
        byte[] p = t.luma;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int steps = 0;
            for (int x = 0; x < w - 1; x++) {
                if (Math.abs((p[row + x + 1] & 0xFF) - (p[row + x] & 0xFF)) > TEXT_STEP) {
                    steps++;
                }
            }
            density[y] = (double) steps / (w - 1);
        }
        double[] sorted = density.clone();
        Arrays.sort(sorted);
        double median = sorted[h / 2];
        double threshold = Math.max(0.04, 1.7 * median);
        int quarter = Math.max(1, h / 4);
        int topRows = 0;
        int bottomRows = 0;
        for (int y = 0; y < quarter; y++) {
            if (density[y] >= threshold) {
                topRows++;
            }
            if (density[h - 1 - y] >= threshold) {
                bottomRows++;
            }
        }
        return new double[] {(double) topRows / quarter, (double) bottomRows / quarter};
    }
}
