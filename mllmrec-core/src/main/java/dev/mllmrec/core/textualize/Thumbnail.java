package dev.mllmrec.core.textualize;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * A decoded image reduced to what the built-in textualizer looks at: a small colour thumbnail (long side at most
 * {@value #COLOUR_SIDE} pixels, box-filtered) for palette and light, and a medium luminance plane (long side at most
 * {@value SafeImageDecoder#DETAIL_SIDE} pixels) for edges and text-like detail. Immutable and thread-safe once built;
 * the arrays are never handed out.
 */
public final class Thumbnail {

    /** The long side of the colour thumbnail. */
    public static final int COLOUR_SIDE = 72;

    private final ImageInfo info;
    final int width;
    final int height;
    /** Packed 0xRRGGBB, row-major, {@code width × height}. */
    final int[] rgb;
    final int lumaWidth;
    final int lumaHeight;
    /** Luma 0..255 (Rec. 601 weights on the encoded values), row-major. */
    final byte[] luma;

    private Thumbnail(ImageInfo info, int width, int height, int[] rgb, int lumaWidth, int lumaHeight, byte[] luma) {
        this.info = info;
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.lumaWidth = lumaWidth;
        this.lumaHeight = lumaHeight;
        this.luma = luma;
    }

    /** The header facts of the source image. */
    public ImageInfo info() {
        return info;
    }

    /** Width of the colour thumbnail. */
    public int width() {
        return width;
    }

    /** Height of the colour thumbnail. */
    public int height() {
        return height;
    }

    /** The colour thumbnail's pixel at (x, y) as 0xRRGGBB. */
    public int rgb(int x, int y) {
        return rgb[y * width + x];
    }

    /** Width of the luminance plane. */
    public int lumaWidth() {
        return lumaWidth;
    }

    /** Height of the luminance plane. */
    public int lumaHeight() {
        return lumaHeight;
    }

    /** The luminance plane's value at (x, y), 0..255. */
    public int luma(int x, int y) {
        return luma[y * lumaWidth + x] & 0xFF;
    }

    /** Builds the thumbnail from a decoded (possibly subsampled) image. */
    static Thumbnail of(ImageInfo info, BufferedImage img) {
        int dw = img.getWidth();
        int dh = img.getHeight();
        int[] full = packedRgb(img);
        byte[] luma = new byte[dw * dh];
        for (int i = 0; i < full.length; i++) {
            int p = full[i];
            luma[i] = (byte) ((77 * (p >>> 16 & 0xFF) + 150 * (p >>> 8 & 0xFF) + 29 * (p & 0xFF)) >> 8);
        }
        int tw;
        int th;
        if (Math.max(dw, dh) <= COLOUR_SIDE) {
            tw = dw;
            th = dh;
        } else if (dw >= dh) {
            tw = COLOUR_SIDE;
            th = Math.max(1, (int) Math.round((double) COLOUR_SIDE * dh / dw));
        } else {
            th = COLOUR_SIDE;
            tw = Math.max(1, (int) Math.round((double) COLOUR_SIDE * dw / dh));
        }
        int[] small = boxDownsample(full, dw, dh, tw, th);
        return new Thumbnail(info, tw, th, small, dw, dh, luma);
    }

    private static int[] boxDownsample(int[] src, int sw, int sh, int tw, int th) {
        if (tw == sw && th == sh) {
            return src;
        }
        int[] out = new int[tw * th];
        for (int ty = 0; ty < th; ty++) {
            int y0 = (int) ((long) ty * sh / th);
            int y1 = Math.max(y0 + 1, (int) ((long) (ty + 1) * sh / th));
            for (int tx = 0; tx < tw; tx++) {
                int x0 = (int) ((long) tx * sw / tw);
                int x1 = Math.max(x0 + 1, (int) ((long) (tx + 1) * sw / tw));
                int r = 0;
                int g = 0;
                int b = 0;
                for (int y = y0; y < y1; y++) {
                    int row = y * sw;
                    for (int x = x0; x < x1; x++) {
                        int p = src[row + x];
                        r += p >>> 16 & 0xFF;
                        g += p >>> 8 & 0xFF;
                        b += p & 0xFF;
                    }
                }
                int n = (y1 - y0) * (x1 - x0);
                out[ty * tw + tx] = (r + n / 2) / n << 16 | (g + n / 2) / n << 8 | (b + n / 2) / n;
            }
        }
        return out;
    }

    /** Reads every pixel as 0xRRGGBB without per-pixel objects; transparent pixels are composited over white. */
    private static int[] packedRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] out = new int[w * h];
        Raster raster = img.getRaster();
        if (raster.getDataBuffer() instanceof DataBufferByte db
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
                && img.getColorModel() instanceof ComponentColorModel cm
                && !cm.hasAlpha()
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && db.getNumBanks() == 1) {
            byte[] data = db.getData();
            int ps = sm.getPixelStride();
            int ss = sm.getScanlineStride();
            int[] off = sm.getBandOffsets();
            int cs = cm.getColorSpace().getType();
            if (sm.getNumBands() == 3 && cm.getColorSpace().isCS_sRGB()) {
                for (int y = 0; y < h; y++) {
                    int base = y * ss;
                    for (int x = 0; x < w; x++) {
                        int i = base + x * ps;
                        out[y * w + x] = (data[i + off[0]] & 0xFF) << 16 | (data[i + off[1]] & 0xFF) << 8
                                | (data[i + off[2]] & 0xFF);
                    }
                }
                return out;
            }
            if (sm.getNumBands() == 1 && cs == ColorSpace.TYPE_GRAY) {
                // Stored grey values are display-encoded in practice; read them as sRGB grey, not linear grey.
                for (int y = 0; y < h; y++) {
                    int base = y * ss;
                    for (int x = 0; x < w; x++) {
                        int v = data[base + x * ps + off[0]] & 0xFF;
                        out[y * w + x] = v << 16 | v << 8 | v;
                    }
                }
                return out;
            }
        }
        img.getRGB(0, 0, w, h, out, 0, w);
        if (img.getColorModel().hasAlpha()) {
            for (int i = 0; i < out.length; i++) {
                int p = out[i];
                int a = p >>> 24;
                if (a != 255) {
                    int r = ((p >>> 16 & 0xFF) * a + 255 * (255 - a) + 127) / 255;
                    int g = ((p >>> 8 & 0xFF) * a + 255 * (255 - a) + 127) / 255;
                    int b = ((p & 0xFF) * a + 255 * (255 - a) + 127) / 255;
                    p = r << 16 | g << 8 | b;
                }
                out[i] = p & 0xFFFFFF;
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] &= 0xFFFFFF;
            }
        }
        return out;
    }
}
