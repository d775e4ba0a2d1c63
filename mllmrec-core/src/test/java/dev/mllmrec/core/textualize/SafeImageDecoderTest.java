package dev.mllmrec.core.textualize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.TextualizationException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SafeImageDecoderTest {

    private final SafeImageDecoder decoder = new SafeImageDecoder();

    @Test
    void pngContentUnderAJpgNameIsDecodedAsPng() throws Exception {
        byte[] png = TestImages.png(TestImages.poster(185, 278, Color.BLACK, Color.RED, true));
        Thumbnail t = decoder.decode(png, "posters/42.jpg");
        assertThat(t.info().format()).isEqualTo(ImageFormat.PNG);
        assertThat(t.info().width()).isEqualTo(185);
        assertThat(t.info().height()).isEqualTo(278);
        assertThat(t.info().orientation()).isEqualTo("portrait");
        assertThat(Math.max(t.width(), t.height())).isEqualTo(Thumbnail.COLOUR_SIDE);
    }

    @Test
    void jpegGifAndBmpAreSniffedAndDecoded() throws Exception {
        BufferedImage img = TestImages.poster(120, 80, Color.BLUE, Color.YELLOW, false);
        assertThat(decoder.decode(TestImages.jpeg(img), "a.png").info().format()).isEqualTo(ImageFormat.JPEG);
        assertThat(decoder.decode(TestImages.encode(img, "gif"), "b.jpg").info().format())
                .isEqualTo(ImageFormat.GIF);
        Thumbnail bmp = decoder.decode(TestImages.encode(img, "bmp"), "c.jpg");
        assertThat(bmp.info().format()).isEqualTo(ImageFormat.BMP);
        assertThat(bmp.info().orientation()).isEqualTo("landscape");
    }

    @Test
    void aJpegClaimingAHugeCanvasIsRefusedFromItsHeader() {
        byte[] bomb = TestImages.jpegClaiming(60_000, 60_000);
        assertThat(bomb.length).isLessThan(4_000);
        // Decoding 60000 x 60000 pixels would need more than 10 GB; the header check refuses it first.
        assertThatThrownBy(() -> decoder.decode(bomb, "bomb.jpg"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("bomb.jpg")
                .hasMessageContaining("60000x60000")
                .hasMessageContaining("refused without decoding");
    }

    @Test
    void aPngHeaderWithoutPixelDataIsRefusedByTheLimitsBeforeAnyDecoding() {
        byte[] bomb = TestImages.pngClaiming(100_000, 100_000);
        assertThatThrownBy(() -> decoder.probe(bomb, "huge.png"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("huge.png")
                .hasMessageContaining("100000x100000");
    }

    @Test
    void thePixelCountLimitAppliesEvenWhenEachSideIsSmall() {
        SafeImageDecoder tight = new SafeImageDecoder(new ImageLimits(1 << 20, 100, 100, 2_000));
        byte[] img = TestImages.png(TestImages.poster(60, 60, Color.GRAY, Color.WHITE, false));
        assertThatThrownBy(() -> tight.decode(img, "square.png"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("60x60");
        byte[] ok = TestImages.png(TestImages.poster(40, 40, Color.GRAY, Color.WHITE, false));
        assertThat(tightDecodes(tight, ok)).isTrue();
    }

    private static boolean tightDecodes(SafeImageDecoder d, byte[] b) {
        try {
            d.decode(b, "ok.png");
            return true;
        } catch (TextualizationException e) {
            return false;
        }
    }

    @Test
    void aFileOverTheByteLimitIsRefused() {
        SafeImageDecoder tight = new SafeImageDecoder(new ImageLimits(100, 1000, 1000, 1_000_000));
        byte[] img = TestImages.png(TestImages.poster(50, 50, Color.GRAY, Color.WHITE, true));
        assertThatThrownBy(() -> tight.decode(img, "big.png"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("big.png")
                .hasMessageContaining("bytes");
    }

    @Test
    void truncatedJpegAndPngAreReportedAsCorruptNamingTheFile() {
        byte[] jpeg = TestImages.jpeg(TestImages.poster(185, 278, Color.BLACK, Color.RED, true));
        byte[] png = TestImages.png(TestImages.poster(185, 278, Color.BLACK, Color.RED, true));
        for (double f : new double[] {0.05, 0.5, 0.9}) {
            assertThatThrownBy(() -> decoder.decode(TestImages.truncated(jpeg, f), "cut.jpg"))
                    .isInstanceOf(TextualizationException.class)
                    .hasMessageStartingWith("Image cut.jpg ")
                    .hasMessageMatching("(?s).*(truncated|corrupt).*");
            assertThatThrownBy(() -> decoder.decode(TestImages.truncated(png, f), "cut.png"))
                    .isInstanceOf(TextualizationException.class)
                    .hasMessageStartingWith("Image cut.png ")
                    .hasMessageMatching("(?s).*(truncated|corrupt).*");
        }
    }

    @Test
    void unknownEmptyAndWebpContentGetClearMessages() {
        assertThatThrownBy(() -> decoder.decode("<html>not an image</html>".getBytes(StandardCharsets.UTF_8),
                "page.jpg"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("page.jpg")
                .hasMessageContaining("not a recognised image format")
                .hasMessageContaining("3c 68 74 6d");
        assertThatThrownBy(() -> decoder.decode(new byte[0], "empty.jpg"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("empty.jpg")
                .hasMessageContaining("empty");
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(ImageFormat.sniff(webp)).isEqualTo(ImageFormat.WEBP);
        assertThatThrownBy(() -> decoder.decode(webp, "w.jpg"))
                .isInstanceOf(TextualizationException.class)
                .hasMessageContaining("w.jpg")
                .hasMessageContaining("WEBP")
                .hasMessageContaining("unsupported");
    }

    @Test
    void greyscaleAndTransparentImagesKeepTheirLook() throws Exception {
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 200);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                grey.getRaster().setSample(x, y, 0, 128);
            }
        }
        Thumbnail g = decoder.decode(TestImages.png(grey), "grey.png");
        // Stored grey 128 stays 128 (read as display-encoded, not linear).
        assertThat(g.rgb(10, 10) & 0xFF).isEqualTo(128);

        BufferedImage clear = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        Thumbnail c = decoder.decode(TestImages.png(clear), "clear.png");
        assertThat(c.rgb(5, 5)).isEqualTo(0xFFFFFF);
    }
}
