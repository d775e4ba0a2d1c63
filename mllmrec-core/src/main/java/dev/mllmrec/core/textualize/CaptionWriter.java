package dev.mllmrec.core.textualize;

import dev.mllmrec.api.TextualizationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@link ImageFeatures} into one fluent caption of at most {@value #MAX_WORDS} words: a palette sentence, a
 * tone sentence, a light sentence and a detail sentence. The wording of each sentence is chosen deterministically
 * from the features, so equal images give equal captions and different images rarely share one. When the preferred
 * wording would spell out the item's title, each sentence falls back to wordings (other templates, alternative
 * colour names, fewer details) that share no word with the title, or is left out.
 *
 * <p>Thread-safe (stateless).
 */
final class CaptionWriter {

    /** The most words a caption may have (the reference caption prompt's limit). */
    static final int MAX_WORDS = 50;

    private static final String[] CELLS = {"upper left", "top centre", "upper right", "left side", "centre",
        "right side", "lower left", "bottom centre", "lower right"};

    private CaptionWriter() {
    }

    /** Writes the caption for {@code f} that does not contain the title {@code guard} protects. */
    static String write(ImageFeatures f, TitleGuard guard) throws TextualizationException {
        List<List<String>> sentences = List.of(palette(f), tone(f), light(f), detail(f));
        List<String> chosen = new ArrayList<>();
        for (List<String> alternatives : sentences) {
            chosen.add(alternatives.get(0));
        }
        shorten(sentences, chosen, s -> true);
        String caption = join(chosen);
        if (!guard.appearsIn(caption)) {
            return caption;
        }
        chosen.clear();
        for (List<String> alternatives : sentences) {
            String safe = null;
            for (String s : alternatives) {
                if (!guard.sharesWordWith(s)) {
                    safe = s;
                    break;
                }
            }
            chosen.add(safe == null ? "" : safe);
        }
        shorten(sentences, chosen, s -> !guard.sharesWordWith(s));
        chosen.removeIf(String::isEmpty);
        if (chosen.isEmpty()) {
            for (String s : List.of("An illustrated poster.", "A printed image.", "Artwork on paper.")) {
                if (!guard.sharesWordWith(s)) {
                    return s;
                }
            }
            throw new TextualizationException("No caption without the words of the title '" + guard.title()
                    + "' could be written.");
        }
        return join(chosen);
    }

    /**
     * While the caption is too long, replaces the longest sentence by a shorter acceptable alternative, or drops
     * the last sentence when none is left.
     */
    private static void shorten(List<List<String>> sentences, List<String> chosen,
                                java.util.function.Predicate<String> acceptable) {
        while (words(join(chosen)) > MAX_WORDS) {
            int longest = 0;
            for (int i = 1; i < chosen.size(); i++) {
                if (words(chosen.get(i)) > words(chosen.get(longest))) {
                    longest = i;
                }
            }
            int current = words(chosen.get(longest));
            String shorter = null;
            for (String s : sentences.get(longest)) {
                if (words(s) < current && acceptable.test(s)) {
                    shorter = s;
                    break;
                }
            }
            if (shorter != null) {
                chosen.set(longest, shorter);
            } else {
                for (int i = chosen.size() - 1; i >= 0; i--) {
                    if (!chosen.get(i).isEmpty()) {
                        chosen.set(i, "");
                        break;
                    }
                }
            }
        }
    }

    static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static String join(List<String> sentences) {
        StringBuilder sb = new StringBuilder();
        for (String s : sentences) {
            if (!s.isEmpty()) {
                sb.append(sb.length() > 0 ? " " : "").append(s);
            }
        }
        return sb.toString();
    }

    // ---- palette --------------------------------------------------------------------------------------------

    private static List<String> palette(ImageFeatures f) {
        List<ImageFeatures.PaletteColor> p = f.palette();
        String fmt = format(f.info());
        List<String> out = new ArrayList<>();
        if (p.isEmpty()) {
            out.add("A " + fmt + " image of scattered, mixed colour.");
            out.add("A picture of scattered, mixed colour.");
            return out;
        }
        int first = pick(f, 1, 4);
        for (int level = 0; level < 3; level++) {
            for (boolean alt : new boolean[] {false, true}) {
                for (int i = 0; i < 4; i++) {
                    out.add(paletteSentence(fmt, p, (first + i) % 4, alt, level));
                }
            }
        }
        out.add("A " + fmt + " poster.");
        out.add("A printed image.");
        return out;
    }

    private static String paletteSentence(String fmt, List<ImageFeatures.PaletteColor> p, int template,
                                          boolean alt, int level) {
        String c1 = name(p.get(0), alt);
        int p1 = percent(p.get(0).share());
        String lead = p1 >= 60 ? "dominated by" : "led by";
        if (p.size() == 1 || level == 2) {
            return switch (template) {
                case 0 -> "A " + fmt + " poster " + lead + " " + c1 + ".";
                case 1 -> capital(fmt) + " artwork, mostly " + c1 + ".";
                case 2 -> "A " + fmt + " image in which " + c1 + " leads.";
                default -> "A " + fmt + " poster built around " + c1 + ".";
            };
        }
        String c2 = name(p.get(1), alt);
        int p2 = percent(p.get(1).share());
        if (p.size() == 2 || level == 1) {
            return switch (template) {
                case 0 -> "A " + fmt + " poster " + lead + " " + c1 + " (about " + p1 + "%) and " + c2 + ".";
                case 1 -> capital(fmt) + " artwork, roughly " + p1 + "% " + c1 + " and " + p2 + "% " + c2 + ".";
                case 2 -> "A " + fmt + " image, about " + p1 + "% " + c1 + " beside " + c2 + ".";
                default -> "A " + fmt + " poster in " + c1 + " (" + p1 + "%) and " + c2 + " (" + p2 + "%).";
            };
        }
        String c3 = name(p.get(2), alt);
        return switch (template) {
            case 0 -> "A " + fmt + " poster " + lead + " " + c1 + " (" + p1 + "%) and " + c2 + " (" + p2
                    + "%), touched with " + c3 + ".";
            case 1 -> capital(fmt) + " artwork, roughly " + p1 + "% " + c1 + " and " + p2 + "% " + c2
                    + ", with " + c3 + " accents.";
            case 2 -> "A " + fmt + " image, about " + p1 + "% " + c1 + " and " + p2 + "% " + c2 + ", plus some "
                    + c3 + ".";
            default -> "A " + fmt + " poster in " + c1 + " (" + p1 + "%) and " + c2 + " (" + p2 + "%), lifted by "
                    + c3 + ".";
        };
    }

    private static String name(ImageFeatures.PaletteColor c, boolean alt) {
        return alt ? c.alternative() : c.name();
    }

    private static int percent(double share) {
        return (int) Math.max(5, Math.round(share * 20) * 5);
    }

    private static String format(ImageInfo info) {
        double aspect = (double) info.width() / info.height();
        if (aspect < 0.95) {
            return "portrait";
        }
        if (aspect <= 1.05) {
            return "square";
        }
        return aspect > 1.6 ? "wide landscape" : "landscape";
    }

    // ---- tone -----------------------------------------------------------------------------------------------

    private static List<String> tone(ImageFeatures f) {
        String b = brightness(f.brightness());
        String c = contrast(f.contrast());
        String s = saturation(f.saturation());
        String w = warmth(f.warmth());
        String[] templates = {
            capital(b) + ", " + c + " and " + s + ", with " + w + ".",
            capital(b) + " and " + c + ", " + s + ", with " + w + ".",
            "A " + b + ", " + c + ", " + s + " picture with " + w + ".",
        };
        return rotate(templates, pick(f, 2, templates.length), "Tones are " + b + " overall.",
                "Its tones are " + c + ".", "Its colour is " + s + ".");
    }

    private static String brightness(double l) {
        if (l < 20) {
            return "very dark";
        }
        if (l < 35) {
            return "dark";
        }
        if (l < 55) {
            return "mid-toned";
        }
        return l < 70 ? "light" : "very bright";
    }

    private static String contrast(double c) {
        if (c < 20) {
            return "soft";
        }
        if (c < 28) {
            return "medium-contrast";
        }
        return c < 34 ? "high-contrast" : "stark";
    }

    private static String saturation(double s) {
        if (s < 6) {
            return "near-monochrome";
        }
        if (s < 14) {
            return "muted";
        }
        if (s < 25) {
            return "softly coloured";
        }
        return s < 38 ? "richly coloured" : "vivid";
    }

    private static String warmth(double w) {
        if (w < -3) {
            return "a cool cast";
        }
        if (w < 8) {
            return "a neutral balance";
        }
        return w < 20 ? "a warm cast" : "a hot cast";
    }

    // ---- light ----------------------------------------------------------------------------------------------

    private static List<String> light(ImageFeatures f) {
        String pos = CELLS[f.brightestCell()];
        String dark = CELLS[f.darkestCell()];
        String[] templates;
        if (f.centreContrast() >= 12) {
            templates = new String[] {
                "A bright subject on a darker field, lightest at the " + pos + ".",
                "A lit central subject against a darker surround, brightest at the " + pos + ".",
            };
        } else if (f.centreContrast() <= -12) {
            templates = new String[] {
                "A dark central shape on a lighter field, lightest at the " + pos + ".",
                "A shadowed subject framed by lighter surroundings, brightest at the " + pos + ".",
            };
        } else if (f.verticalGradient() >= 15) {
            templates = new String[] {
                "Light falls from above and fades toward the " + dark + ".",
                "The upper part glows while the " + dark + " sinks into shadow.",
            };
        } else if (f.verticalGradient() <= -15) {
            templates = new String[] {
                "Darker at the top, with light pooling low at the " + pos + ".",
                "Shadow hangs at the top while the " + pos + " holds the most light.",
            };
        } else {
            templates = new String[] {
                "Light is spread fairly evenly, a little stronger at the " + pos + ".",
                "Light is even across the frame, darkest at the " + dark + ".",
            };
        }
        return rotate(templates, pick(f, 3, templates.length), "The brightest area is the " + pos + ".",
                "Light gathers at one side.", "Light varies across the picture.");
    }

    // ---- detail ---------------------------------------------------------------------------------------------

    private static List<String> detail(ImageFeatures f) {
        double e = f.edgeDensity();
        String busy;
        String density;
        if (e < 0.26) {
            busy = "calm and smooth";
            density = "sparse";
        } else if (e < 0.37) {
            busy = "moderately detailed";
            density = "moderate";
        } else if (e < 0.48) {
            busy = "busy";
            density = "dense";
        } else {
            busy = "very busy";
            density = "very dense";
        }
        boolean top = f.textTop() >= 0.2;
        boolean bottom = f.textBottom() >= 0.2;
        String text;
        if (top && bottom) {
            text = "text-like bands at top and bottom";
        } else if (top) {
            text = "lettering-like detail near the top";
        } else if (bottom) {
            text = "lettering-like detail near the bottom";
        } else {
            text = "no clear lettering band";
        }
        String[] templates = {
            "Detail is " + density + ", with " + text + ".",
            capital(busy) + " overall, with " + text + ".",
        };
        return rotate(templates, pick(f, 4, templates.length), "The composition is " + busy + ".",
                "Fine detail shows " + text + ".", "Detail is " + density + ".");
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static List<String> rotate(String[] templates, int first, String... fallbacks) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < templates.length; i++) {
            out.add(templates[(first + i) % templates.length]);
        }
        out.addAll(List.of(fallbacks));
        return out;
    }

    /** A deterministic choice among {@code n} wordings, varied by the features and the sentence ({@code salt}). */
    private static int pick(ImageFeatures f, int salt, int n) {
        long h = salt * 0x9E3779B97F4A7C15L;
        h = h * 31 + Math.round(f.brightness());
        h = h * 31 + Math.round(f.contrast());
        h = h * 31 + Math.round(f.saturation());
        h = h * 31 + f.brightestCell();
        h = h * 31 + f.darkestCell();
        h = h * 31 + Math.round(f.edgeDensity() * 100);
        if (!f.palette().isEmpty()) {
            h = h * 31 + f.palette().get(0).name().hashCode();
        }
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) Math.floorMod(h, (long) n);
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
