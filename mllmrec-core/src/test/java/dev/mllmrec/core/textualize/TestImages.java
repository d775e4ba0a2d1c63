package dev.mllmrec.core.textualize;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Synthetic images for tests, made in memory (no data files in the repository). */
final class TestImages {

    private TestImages() {
    }

    /** A poster-like picture: a background, a disc of {@code subject} colour, and a band of "lettering". */
    static BufferedImage poster(int w, int h, Color background, Color subject, boolean lettering) {
        return paint(w, h, g -> {
            g.setColor(background);
            g.fillRect(0, 0, w, h);
            g.setColor(subject);
            g.fillOval(w / 4, h / 3, w / 2, h / 3);
            if (lettering) {
                g.setColor(Color.WHITE);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(8, h / 14)));
                g.drawString("WWW MMM WWW", 4, h - 6);
            }
        });
    }

    static BufferedImage paint(int w, int h, Consumer<Graphics2D> painter) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            painter.accept(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BufferedImage rgb = img;
            if (!format.equals("png") && img.getType() != BufferedImage.TYPE_INT_RGB) {
                rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
                rgb.getGraphics().drawImage(img, 0, 0, null);
            }
            if (!ImageIO.write(rgb, format, out)) {
                throw new IllegalStateException("No writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] jpeg(BufferedImage img) {
        return encode(img, "jpeg");
    }

    static byte[] png(BufferedImage img) {
        return encode(img, "png");
    }

    /** A valid small JPEG whose frame header claims {@code w × h} pixels: a decompression bomb. */
    static byte[] jpegClaiming(int w, int h) {
        byte[] b = jpeg(poster(40, 60, Color.DARK_GRAY, Color.ORANGE, false));
        for (int i = 2; i + 9 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && ((b[i + 1] & 0xFF) == 0xC0 || (b[i + 1] & 0xFF) == 0xC2)) {
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return b;
            }
        }
        throw new IllegalStateException("No SOF marker found.");
    }

    /** A PNG made only of a signature, an IHDR claiming {@code w × h} and an IEND: no pixel data at all. */
    static byte[] pngClaiming(int w, int h) {
        ByteBuffer buf = ByteBuffer.allocate(8 + 25 + 12);
        buf.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(buf, "IHDR", ihdr.array());
        chunk(buf, "IEND", new byte[0]);
        return buf.array();
    }

    private static void chunk(ByteBuffer buf, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        buf.putInt(data.length).put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        buf.putInt((int) crc.getValue());
    }

    static byte[] truncated(byte[] b, double fraction) {
        return Arrays.copyOf(b, (int) (b.length * fraction));
    }

    /** The shared MovieLens posters directory, or {@code null} when it is not beside the project. */
    static Path postersDir() {
        String shared = System.getProperty("mllmrec.shared.dir", "../shared");
        for (Path p : new Path[] {Path.of(shared, "data", "movielens", "posters"),
            Path.of("..", "..", "shared", "data", "movielens", "posters")}) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}
