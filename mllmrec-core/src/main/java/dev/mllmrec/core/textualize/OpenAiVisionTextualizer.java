package dev.mllmrec.core.textualize;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.http.ChatCompletion;
import dev.mllmrec.core.http.ChatException;
import dev.mllmrec.core.http.ChatMessage;
import dev.mllmrec.core.http.ChatOptions;
import dev.mllmrec.core.http.ContentPart;
import dev.mllmrec.core.http.OpenAiChatClient;
import java.util.Arrays;
import java.util.Objects;

/**
 * Captions images with a vision-language model behind an OpenAI-compatible server: the reference caption prompt
 * with the item's title, the image inline as a {@code data:image/<type>;base64,…} URL, greedy decoding.
 *
 * <p>The answer is cleaned (trimmed, one line, surrounding quotes and a leading {@code Caption:} label removed) and
 * cut to 50 words. If it still spells out the title (the prompt forbids it, models sometimes do it anyway), the
 * {@link TitlePolicy} decides: by default the title is replaced with {@value #TITLE_REPLACEMENT}; with
 * {@link TitlePolicy#FAIL} the image is reported as a failure (and tried again on the next run).
 *
 * <p>Thread-safe; concurrency is bounded by the client.
 */
public final class OpenAiVisionTextualizer implements VisualTextualizer {

    /** The id recorded with every caption. */
    public static final String ID = "openai";

    /** Bumped whenever the prompt or the post-processing changes. */
    public static final String PROMPT_VERSION = "p1";

    /** The reference caption prompt, one sentence per line; {@code {title}} is replaced by the item's title. */
    public static final String PROMPT_TEMPLATE = "You are generating a caption for a movie/show dataset.\n"
            + "Title: '{title}'\n"
            + "Task: Write one caption (no more than 50 words) describing the image content.\n"
            + "The caption should be visually grounded while loosely consistent with the theme.\n"
            + "Do NOT rewrite the title. Do NOT mention the title explicitly.\n"
            + "Output only the caption sentence.";

    /** What replaces a title the model wrote anyway, under {@link TitlePolicy#REDACT}. */
    public static final String TITLE_REPLACEMENT = "the film";

    /** What to do with an answer that contains the title. */
    public enum TitlePolicy {
        /** Replace the title with {@value OpenAiVisionTextualizer#TITLE_REPLACEMENT}. */
        REDACT,
        /** Report the image as failed. */
        FAIL
    }

    private final OpenAiChatClient client;
    private final SafeImageDecoder decoder;
    private final TitlePolicy titlePolicy;
    private final ChatOptions options;

    /** A textualizer with greedy decoding, at most 128 new tokens, default image limits and {@code REDACT}. */
    public OpenAiVisionTextualizer(OpenAiChatClient client) {
        this(client, new SafeImageDecoder(), TitlePolicy.REDACT, ChatOptions.greedy(128));
    }

    /**
     * @param client      the chat client (its model is part of {@link #version()})
     * @param decoder     checks the image header against its limits before upload
     * @param titlePolicy what to do when the answer contains the title
     * @param options     sampling options of each request
     */
    public OpenAiVisionTextualizer(OpenAiChatClient client, SafeImageDecoder decoder, TitlePolicy titlePolicy,
                                   ChatOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.titlePolicy = Objects.requireNonNull(titlePolicy, "titlePolicy");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String id() {
        return ID;
    }

    /** {@code <model>/<prompt version>}: a different model or prompt captions again. */
    @Override
    public String version() {
        return client.model() + "/" + PROMPT_VERSION;
    }

    /** The prompt for {@code title}. */
    public static String prompt(String title) {
        return PROMPT_TEMPLATE.replace("{title}", title);
    }

    @Override
    public String describe(Item item, byte[] image) throws TextualizationException {
        String name = BuiltinTextualizer.imageName(item);
        ImageFormat format = ImageFormat.sniff(image);
        if (format == ImageFormat.WEBP) {
            if (image.length > decoder.limits().maxBytes()) {
                throw new TextualizationException("Image " + name + " has " + image.length
                        + " bytes, more than the limit of " + decoder.limits().maxBytes() + ".");
            }
        } else {
            format = decoder.probe(image, name).format();
        }
        ChatMessage message = ChatMessage.user(ContentPart.imageData(format.mimeType(), image),
                ContentPart.text(prompt(item.title())));
        ChatCompletion answer;
        try {
            answer = client.complete(java.util.List.of(message), options);
        } catch (ChatException e) {
            throw new TextualizationException("Captioning image " + name + " with " + client.model() + " failed: "
                    + e.getMessage(), e);
        }
        String text = clean(answer.content());
        if (text.isEmpty()) {
            throw new TextualizationException("Model " + client.model() + " returned an empty caption for image "
                    + name + ".");
        }
        TitleGuard guard = TitleGuard.of(item.title());
        if (guard.appearsIn(text)) {
            if (titlePolicy == TitlePolicy.FAIL) {
                throw new TextualizationException("Model " + client.model() + " mentioned the title of item "
                        + item.id() + " in its caption of image " + name + ".");
            }
            text = guard.redact(text, TITLE_REPLACEMENT);
            if (guard.appearsIn(text)) {
                throw new TextualizationException("Model " + client.model() + " mentioned the title of item "
                        + item.id() + " in its caption of image " + name + " and it could not be removed.");
            }
        }
        return truncate(text, CaptionWriter.MAX_WORDS);
    }

    /** One line, trimmed, without surrounding quotes or a leading "Caption:" label. */
    static String clean(String raw) {
        String t = raw == null ? "" : raw.replaceAll("\\s+", " ").strip();
        String before;
        do {
            before = t;
            t = t.replaceFirst("^(?i)caption\\s*:\\s*", "");
            if (t.length() >= 2 && isQuote(t.charAt(0)) && isQuote(t.charAt(t.length() - 1))) {
                t = t.substring(1, t.length() - 1).strip();
            }
        } while (!t.equals(before));
        return t;
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'' || c == '“' || c == '”' || c == '‘' || c == '’' || c == '`';
    }

    /** At most {@code max} words; a cut sentence ends with a full stop. */
    static String truncate(String text, int max) {
        String[] words = text.strip().split("\\s+");
        if (words.length <= max) {
            return text.strip();
        }
        String cut = String.join(" ", Arrays.copyOf(words, max)).replaceAll("[,;:\\-–—]+$", "");
        return cut.matches(".*[.!?…]$") ? cut : cut + ".";
    }
}
