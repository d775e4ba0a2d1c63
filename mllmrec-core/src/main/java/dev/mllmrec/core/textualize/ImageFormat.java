package dev.mllmrec.core.textualize;

/**
 * Image formats recognised by their leading magic bytes, never by file name. Thread-safe (an enum).
 */
public enum ImageFormat {
    /** JPEG/JFIF/Exif: {@code FF D8 FF}. */
    JPEG("jpeg", "jpeg", true),
    /** PNG: {@code 89 50 4E 47 0D 0A 1A 0A}. */
    PNG("png", "png", true),
    /** GIF87a / GIF89a. */
    GIF("gif", "gif", true),
    /** Windows bitmap: {@code BM}. */
    BMP("bmp", "bmp", true),
    /** WebP ({@code RIFF....WEBP}): recognised so the error is clear, but not decodable by the JDK. */
    WEBP("webp", "webp", false);

    private final String mimeSubtype;
    private final String imageIoName;
    private final boolean decodable;

    ImageFormat(String mimeSubtype, String imageIoName, boolean decodable) {
        this.mimeSubtype = mimeSubtype;
        this.imageIoName = imageIoName;
        this.decodable = decodable;
    }

    /** The MIME type, for example {@code image/jpeg}. */
    public String mimeType() {
        return "image/" + mimeSubtype;
    }

    /** The ImageIO format name used to find a reader. */
    String imageIoName() {
        return imageIoName;
    }

    /** Whether the JDK's ImageIO can decode this format. */
    public boolean decodable() {
        return decodable;
    }

    /**
     * Detects the format from the first bytes.
     *
     * @return the format, or {@code null} when the bytes match none of the known signatures
     */
    public static ImageFormat sniff(byte[] b) {
        if (b == null) {
            return null;
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
            return PNG;
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8'
                && (b[4] == '7' || b[4] == '9') && b[5] == 'a') {
            return GIF;
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return WEBP;
        }
        if (b.length >= 14 && b[0] == 'B' && b[1] == 'M') {
            return BMP;
        }
        return null;
    }
}
