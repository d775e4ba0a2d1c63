package dev.mllmrec.core.textualize;

import dev.mllmrec.api.TextualizationException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes untrusted image bytes defensively: the format is detected from the content, the header's width, height
 * and pixel count are checked against {@link ImageLimits} before any pixel is decoded (so a decompression bomb is
 * refused cheaply), large images are decoded with source subsampling, and corrupt or truncated data (including
 * decoder warnings such as a premature end of a JPEG) is reported as a {@link TextualizationException} whose
 * message is a sentence naming the file.
 *
 * <p>Thread-safe: each call uses its own ImageIO reader and never touches ImageIO's disk cache.
 */
public final class SafeImageDecoder {

    /** The long side, in pixels, above which images are decoded with source subsampling. */
    public static final int DETAIL_SIDE = 160;

    private static final Map<ImageFormat, ImageReaderSpi> PROVIDERS = providers();

    private final ImageLimits limits;

    /** A decoder with {@link ImageLimits#DEFAULT}. */
    public SafeImageDecoder() {
        this(ImageLimits.DEFAULT);
    }

    /** A decoder with the given limits. */
    public SafeImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The limits this decoder enforces. */
    public ImageLimits limits() {
        return limits;
    }

    /**
     * Reads only the header: format, width and height, checked against the limits.
     *
     * @param bytes the image bytes
     * @param name  the file name or item used in error messages
     * @throws TextualizationException if the bytes are not a supported image, the header is corrupt, or a limit is
     *                                 exceeded
     */
    public ImageInfo probe(byte[] bytes, String name) throws TextualizationException {
        ImageFormat format = formatOf(bytes, name);
        ImageReader reader = newReader(format, name);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            return checkedInfo(reader, format, name);
        } catch (IOException | RuntimeException e) {
            throw corrupt(name, format, e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Decodes the image into a {@link Thumbnail}, after checking the header against the limits.
     *
     * @param bytes the image bytes
     * @param name  the file name or item used in error messages
     * @throws TextualizationException if the image is unsupported, oversized, corrupt or truncated
     */
    public Thumbnail decode(byte[] bytes, String name) throws TextualizationException {
        ImageFormat format = formatOf(bytes, name);
        ImageReader reader = newReader(format, name);
        List<String> warnings = new ArrayList<>(1);
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            ImageInfo info = checkedInfo(reader, format, name);
            int longSide = Math.max(info.width(), info.height());
            int step = Math.max(1, (longSide + DETAIL_SIDE - 1) / DETAIL_SIDE);
            ImageReadParam param = reader.getDefaultReadParam();
            if (step > 1) {
                param.setSourceSubsampling(step, step, 0, 0);
            }
            BufferedImage img = reader.read(0, param);
            if (!warnings.isEmpty()) {
                throw new TextualizationException("Image " + name + " is truncated or corrupt: the " + format
                        + " decoder reported '" + warnings.get(0) + "'.");
            }
            return Thumbnail.of(info, img);
        } catch (IOException | RuntimeException e) {
            throw corrupt(name, format, e);
        } finally {
            reader.dispose();
        }
    }

    private ImageFormat formatOf(byte[] bytes, String name) throws TextualizationException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new TextualizationException("Image " + name + " is empty (0 bytes).");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new TextualizationException("Image " + name + " has " + bytes.length
                    + " bytes, more than the limit of " + limits.maxBytes() + ".");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw new TextualizationException("Image " + name + " is not a recognised image format (it starts with "
                    + hex(bytes, 8) + "); expected JPEG, PNG, GIF or BMP content.");
        }
        if (!format.decodable() || PROVIDERS.get(format) == null) {
            throw new TextualizationException("Image " + name + " is " + format
                    + " content, an unsupported format; convert it to JPEG or PNG.");
        }
        return format;
    }

    private ImageInfo checkedInfo(ImageReader reader, ImageFormat format, String name)
            throws IOException, TextualizationException {
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
            throw new TextualizationException("Image " + name + " declares an empty size " + w + "x" + h + ".");
        }
        if (w > limits.maxWidth() || h > limits.maxHeight() || (long) w * h > limits.maxPixels()) {
            throw new TextualizationException("Image " + name + " declares " + w + "x" + h + " pixels ("
                    + String.format(Locale.ROOT, "%.1f", (double) w * h / 1e6) + " megapixels), beyond the limit of "
                    + limits.maxWidth() + "x" + limits.maxHeight() + " and "
                    + String.format(Locale.ROOT, "%.1f", limits.maxPixels() / 1e6)
                    + " megapixels; refused without decoding.");
        }
        return new ImageInfo(format, w, h);
    }

    private static TextualizationException corrupt(String name, ImageFormat format, Exception e) {
        if (e instanceof TextualizationException te) {
            return te;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new TextualizationException("Image " + name + " could not be decoded as " + format
                + "; it is corrupt, truncated or uses an unsupported variant (" + detail + ").", e);
    }

    private static ImageReader newReader(ImageFormat format, String name) throws TextualizationException {
        try {
            return PROVIDERS.get(format).createReaderInstance();
        } catch (IOException e) {
            throw new TextualizationException("No " + format + " reader is available for image " + name + ".", e);
        }
    }

    private static Map<ImageFormat, ImageReaderSpi> providers() {
        Map<ImageFormat, ImageReaderSpi> map = new EnumMap<>(ImageFormat.class);
        for (ImageFormat f : ImageFormat.values()) {
            if (!f.decodable()) {
                continue;
            }
            Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(f.imageIoName());
            if (it.hasNext()) {
                ImageReader r = it.next();
                map.put(f, r.getOriginatingProvider());
                r.dispose();
            }
        }
        return map;
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
