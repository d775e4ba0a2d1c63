package dev.mllmrec.core.textualize;

/**
 * What an image header says, read before any pixel is decoded.
 *
 * @param format the format detected from the content
 * @param width  the width in pixels
 * @param height the height in pixels
 */
public record ImageInfo(ImageFormat format, int width, int height) {

    /** {@code portrait}, {@code landscape} or {@code square} (within 5%). */
    public String orientation() {
        double aspect = (double) width / height;
        if (aspect > 1.05) {
            return "landscape";
        }
        return aspect < 0.95 ? "portrait" : "square";
    }
}
