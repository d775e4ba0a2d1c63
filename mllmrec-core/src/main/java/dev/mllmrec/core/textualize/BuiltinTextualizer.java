package dev.mllmrec.core.textualize;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.api.VisualTextualizer;
import java.util.Objects;

/**
 * The default textualizer: needs no model, server or download. It decodes the image safely
 * ({@link SafeImageDecoder}), measures what a viewer would notice ({@link ImageFeatures}: named palette, brightness,
 * contrast, saturation, warm or cool tone, where the light sits, busy or calm, text-like bands, orientation) and
 * writes one deterministic caption of at most 50 words that never contains the item's title ({@link TitleGuard}).
 *
 * <p>Thread-safe: it holds no mutable state.
 */
public final class BuiltinTextualizer implements VisualTextualizer {

    /** The id recorded with every caption. */
    public static final String ID = "builtin";

    /** The version recorded with every caption; bumped whenever captions for the same image would change. */
    public static final String VERSION = "1.0";

    private final SafeImageDecoder decoder;

    /** A textualizer with the default image limits. */
    public BuiltinTextualizer() {
        this(new SafeImageDecoder());
    }

    /** A textualizer with the given decoder (for custom image limits). */
    public BuiltinTextualizer(SafeImageDecoder decoder) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String describe(Item item, byte[] image) throws TextualizationException {
        Objects.requireNonNull(item, "item");
        Thumbnail thumbnail = decoder.decode(image, imageName(item));
        return describe(item, thumbnail);
    }

    /** Describes an already decoded thumbnail (used by benchmarks to separate decoding from describing). */
    public String describe(Item item, Thumbnail thumbnail) throws TextualizationException {
        return CaptionWriter.write(ImageFeatures.extract(thumbnail), TitleGuard.of(item.title()));
    }

    /** How an item's image is named in error messages: its path and item id. */
    static String imageName(Item item) {
        return item.image() == null ? "of item " + item.id() : item.image() + " (item " + item.id() + ")";
    }
}
