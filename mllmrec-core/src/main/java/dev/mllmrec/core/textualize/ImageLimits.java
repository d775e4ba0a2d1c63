package dev.mllmrec.core.textualize;

/**
 * Bounds checked before an image is decoded, so that a decompression bomb (a small file whose header promises a
 * huge canvas) or an oversized file is refused without allocating its pixels.
 *
 * @param maxBytes  the largest accepted file, in bytes
 * @param maxWidth  the largest accepted width, in pixels
 * @param maxHeight the largest accepted height, in pixels
 * @param maxPixels the largest accepted width × height
 */
public record ImageLimits(long maxBytes, int maxWidth, int maxHeight, long maxPixels) {

    /** 32 MiB, 12,000 × 12,000 and 40 megapixels: far above any poster, far below what exhausts a heap. */
    public static final ImageLimits DEFAULT = new ImageLimits(32L << 20, 12_000, 12_000, 40_000_000L);

    /** Validates. */
    public ImageLimits {
        if (maxBytes <= 0 || maxWidth <= 0 || maxHeight <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("Image limits must be positive, got bytes=" + maxBytes + ", width="
                    + maxWidth + ", height=" + maxHeight + ", pixels=" + maxPixels + ".");
        }
    }
}
